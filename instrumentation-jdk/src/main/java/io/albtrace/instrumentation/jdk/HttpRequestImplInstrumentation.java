package io.albtrace.instrumentation.jdk;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.net.http.HttpHeaders;
import java.util.Collections;
import java.util.List;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.HttpRequestImpl(HttpRequest, ProxySelector)}: where {@code HttpClientImpl}
 * copies the application's immutable {@code HttpRequest} into its own request, on the caller's thread, for
 * {@code send}, {@code sendAsync} (SPEC 5.2: the caller's context) and the WebSocket opening handshake (whose
 * request goes through {@code sendAsync} too). The advice replaces the copy's user headers by the same headers
 * with exactly one, forwarded, {@code X-Amzn-Trace-Id} (the application's first value, else the context).
 *
 * <p>Redirects, authentication and retries are derived from this internal request by other constructors and
 * keep its headers: forwarded once per logical request (SPEC 3). The application's {@code HttpRequest} is not
 * changed. The size rule over all headers is applied where they are written ({@link Http1RequestInstrumentation},
 * {@link OutgoingHeadersInstrumentation}).
 */
public final class HttpRequestImplInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("jdk.internal.net.http.HttpRequestImpl");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor()
                        .and(takesArguments(2))
                        .and(takesArgument(0, named("java.net.http.HttpRequest")))
                        .and(takesArgument(1, named("java.net.ProxySelector"))),
                HttpRequestImplInstrumentation.class.getName() + "$CopyAdvice");
    }

    /** Forwards the trace header into the internal copy of the request. */
    public static final class CopyAdvice {

        private CopyAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.FieldValue(value = "userHeaders", readOnly = false) HttpHeaders userHeaders) {
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case
            List<String> own = userHeaders.map().get(TraceHeader.NAME);
            String forwarded = Outgoing.header(own == null || own.isEmpty() ? null : own.get(0), 0);
            // HttpHeaders names are unique regardless of case: a view, copied once by HttpHeaders.of
            userHeaders = HttpHeaders.of(Outgoing.replacingTraceHeader(userHeaders.map(), forwarded),
                    Utils.ACCEPT_ALL);
        }
    }
}

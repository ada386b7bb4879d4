package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.http.Header;
import org.apache.http.HttpRequest;

/**
 * httpcore-nio 4.4 {@code DefaultNHttpClientConnection#submitRequest(HttpRequest)} (HttpAsyncClient 4.1's managed
 * connections extend it): the request exactly as its head is written, on the I/O reactor, with every header the
 * client and the application's interceptors added.
 *
 * <p>The size rule (SPEC 3) over all those headers, on the trace header {@link AsyncClient4ExchangeInstrumentation}
 * set: over the bound it is cut to its {@code Root}; copies an interceptor added after it are removed. It is not
 * forwarded again. A request without a trace header is left as it is.
 */
public final class AsyncClient4ConnectionInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.http.impl.nio.DefaultNHttpClientConnection");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("submitRequest")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.apache.http.HttpRequest"))),
                AsyncClient4ConnectionInstrumentation.class.getName() + "$SizeRuleAdvice");
    }

    /** The size rule over the request's final headers. */
    public static final class SizeRuleAdvice {

        private SizeRuleAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpRequest request) {
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (Header h : request.getAllHeaders()) {
                scan.add(h.getName(), h.getValue());
            }
            String own = scan.first();
            int copies = scan.copies();
            String wire = OutgoingCall.limit(own, scan.otherBytes());
            if (wire != null && (copies != 1 || wire != own)) {
                if (copies == 1) {
                    request.setHeader(TraceHeader.NAME, wire);
                } else {
                    request.removeHeaders(TraceHeader.NAME);
                    request.addHeader(TraceHeader.NAME, wire);
                }
            }
        }
    }
}

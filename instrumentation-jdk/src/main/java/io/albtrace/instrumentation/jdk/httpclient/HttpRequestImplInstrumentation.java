package io.albtrace.instrumentation.jdk.httpclient;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.lang.invoke.MethodHandles;
import java.net.http.HttpHeaders;
import java.util.Collections;
import java.util.List;
import jdk.internal.net.http.HttpRequestImpl;
import jdk.internal.net.http.common.HttpHeadersBuilder;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.HttpRequestImpl(HttpRequest, ProxySelector)}: where {@code HttpClientImpl}
 * copies the application's immutable {@code HttpRequest} into its own request, on the caller's thread, for
 * {@code send}, {@code sendAsync} (SPEC 5.2: the caller's context) and the WebSocket opening handshake (whose
 * request goes through {@code sendAsync} too). The forwarded value is decided here, once per logical request.
 *
 * <p>Where it is kept:
 * <ul>
 *   <li>the application set no {@code X-Amzn-Trace-Id} (the usual case): in the request's own mutable
 *       {@code systemHeadersBuilder}, as a system header ({@code Host}, {@code User-Agent} and the cookies live
 *       there too). Nothing of the user headers is copied. The HTTP/2 writer sends it as it sends every system
 *       header; the HTTP/1.1 writer's advice ({@link Http1RequestInstrumentation}) takes it out while the JDK
 *       copies the headers and writes its line itself. Both JDK writers (17 and 25) drop a system header whose
 *       name is among the user headers, and there is none here: it leaves once;</li>
 *   <li>the application set one: the user headers are replaced by the same headers with exactly one
 *       {@code X-Amzn-Trace-Id}, the forwarded value (a copy, as before; the rare case). The system headers
 *       never hold one then.</li>
 * </ul>
 *
 * <p>Redirects and authentication are derived from this request by {@code newInstanceForRedirection} and
 * {@code newInstanceForAuthentication}, through a private constructor that shares or filters the user headers
 * (the trace header is not among those a cross-origin redirect drops) and starts new, empty, system headers:
 * {@link DerivedAdvice} copies the value into those, so a redirect keeps it (SPEC 3). A retry re-sends the same
 * request object. The application's {@code HttpRequest} is not changed. The size rule over all headers is
 * applied where they are written ({@link Http1RequestInstrumentation}, {@link OutgoingHeadersInstrumentation}).
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
        // (URI, String, HttpRequestImpl other, boolean) on 17; on 25 also (..., Optional), which the first calls
        target.applyAdvice(isConstructor()
                        .and(takesArgument(0, named("java.net.URI")))
                        .and(takesArgument(1, String.class))
                        .and(takesArgument(2, named("jdk.internal.net.http.HttpRequestImpl")))
                        .and(takesArgument(3, boolean.class)),
                HttpRequestImplInstrumentation.class.getName() + "$DerivedAdvice");
    }

    /** Decides the forwarded value for the internal copy of the application's request. */
    public static final class CopyAdvice {

        private CopyAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.FieldValue(value = "userHeaders", readOnly = false) HttpHeaders userHeaders,
                @Advice.FieldValue("systemHeadersBuilder") HttpHeadersBuilder systemHeaders) {
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case
            List<String> own = userHeaders.map().get(TraceHeader.NAME);
            if (own == null || own.isEmpty()) {
                // one map entry and a singleton list: the builder's lists are only ever replaced (setHeader), or
                // appended to for the cookie headers (addHeader)
                systemHeaders.map().put(TraceHeader.NAME, Collections.singletonList(Outgoing.header(null, 0)));
            } else {
                String forwarded = Outgoing.header(own.get(0), 0);
                // a WebSocket's request shares its builder with the handshake's: never a second copy there
                systemHeaders.map().remove(TraceHeader.NAME);
                // HttpHeaders names are unique regardless of case: a view, copied once by HttpHeaders.of
                userHeaders = HttpHeaders.of(Outgoing.replacingTraceHeader(userHeaders.map(), forwarded),
                        Utils.ACCEPT_ALL);
            }
        }
    }

    /**
     * A redirect or authentication request, derived from {@code other}: the value {@code other} keeps among its
     * system headers is kept among this one's. A value among the user headers came along with them.
     */
    public static final class DerivedAdvice {

        private DerivedAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(2) HttpRequestImpl other,
                @Advice.FieldValue("systemHeadersBuilder") HttpHeadersBuilder systemHeaders) throws Throwable {
            if (systemHeaders.map().containsKey(TraceHeader.NAME)) {
                return; // JDK 25: the constructor this one delegated to has copied it
            }
            // Inlined into HttpRequestImpl, lookup() may read its private fields; only once per redirect or
            // authentication, never on the usual path.
            HttpHeadersBuilder from = (HttpHeadersBuilder) MethodHandles.lookup()
                    .findGetter(HttpRequestImpl.class, "systemHeadersBuilder", HttpHeadersBuilder.class)
                    .invoke(other);
            List<String> value = from.map().get(TraceHeader.NAME);
            if (value != null && !value.isEmpty()) {
                systemHeaders.map().put(TraceHeader.NAME, Collections.singletonList(value.get(0)));
            }
        }
    }
}

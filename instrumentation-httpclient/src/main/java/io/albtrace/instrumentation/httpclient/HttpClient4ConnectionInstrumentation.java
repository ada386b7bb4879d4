package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.http.Header;
import org.apache.http.HttpRequest;

/**
 * httpcore 4.4 {@code sendRequestHeader(HttpRequest)} of {@code DefaultBHttpClientConnection} (HttpClient 4.3+'s
 * connections extend it) and {@code AbstractHttpClientConnection} (the deprecated {@code DefaultHttpClient}'s):
 * every request head is written there, on the caller's thread, with all the client's own headers on it.
 *
 * <p>As {@link ClassicConnectionInstrumentation} for HttpClient 5: inside a call ({@link HttpClient4Instrumentation})
 * the call's value replaces every trace header, with the size rule over the real headers; outside one, and for a
 * proxy's {@code CONNECT}, only the size rule on a trace header already there.
 */
public final class HttpClient4ConnectionInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.http.impl.DefaultBHttpClientConnection",
                "org.apache.http.impl.AbstractHttpClientConnection");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("sendRequestHeader")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.apache.http.HttpRequest"))),
                HttpClient4ConnectionInstrumentation.class.getName() + "$SendRequestHeaderAdvice");
    }

    /** Writes the call's header, once, over every copy. */
    public static final class SendRequestHeaderAdvice {

        private SendRequestHeaderAdvice() {
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
            String wire = OutgoingCall.onClassicWire(request.getRequestLine().getMethod(), own, scan.otherBytes());
            if (wire != null && (copies != 1 || wire != own)) {
                if (copies == 1) {
                    request.setHeader(TraceHeader.NAME, wire);
                } else {
                    if (copies > 1) { // with none there is nothing to remove: no pass over every header
                        request.removeHeaders(TraceHeader.NAME);
                    }
                    request.addHeader(TraceHeader.NAME, wire);
                }
            }
        }
    }
}

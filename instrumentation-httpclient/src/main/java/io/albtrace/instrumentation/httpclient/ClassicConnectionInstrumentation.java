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
import java.util.Iterator;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;

/**
 * httpcore5 (5.0 to 5.4) {@code DefaultBHttpClientConnection#sendRequestHeader(ClassicHttpRequest)}: the classic
 * connection that HttpClient 5 ({@code DefaultManagedHttpClientConnection} extends it) writes every request
 * head with, on the caller's thread, once the client's own headers ({@code Host}, {@code User-Agent},
 * {@code Accept-Encoding}, {@code Connection}, cookies, authentication, {@code Content-*}) are on it.
 *
 * <p>Inside a call ({@link ClassicHttpClientInstrumentation}): the call's value, forwarded on the first send and
 * kept for the redirects and retries, replaces every trace header, with the size rule over the request's real
 * headers. Outside one (httpcore5 used on its own), and for a proxy's {@code CONNECT}: only the size rule, on a
 * trace header the request already has. Exactly one trace header leaves.
 */
public final class ClassicConnectionInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("sendRequestHeader")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.ClassicHttpRequest"))),
                ClassicConnectionInstrumentation.class.getName() + "$SendRequestHeaderAdvice");
    }

    /** Writes the call's header, once, over every copy. */
    public static final class SendRequestHeaderAdvice {

        private SendRequestHeaderAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) ClassicHttpRequest request) {
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (Iterator<Header> it = request.headerIterator(); it.hasNext(); ) {
                Header h = it.next();
                scan.add(h.getName(), h.getValue());
            }
            String own = scan.first();
            int copies = scan.copies();
            String wire = OutgoingCall.onClassicWire(request.getMethod(), own, scan.otherBytes());
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

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
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;

/**
 * httpcore5 (5.0 to 5.4) {@code org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter#writeHeadLine}: the
 * asynchronous HTTP/1.1 writer, called with the request exactly as it goes on the wire (the connection's own
 * {@code Host}, {@code Connection} and {@code Content-*} included) right before its header lines are written.
 *
 * <p>The size rule (SPEC 3) over all those headers, on the trace header {@link AsyncMainClientExecInstrumentation}
 * set: when the whole set is over the bound it is cut to its {@code Root}; it is not forwarded again. A request
 * without a trace header is left as it is.
 */
public final class AsyncRequestWriterInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeHeadLine")
                        .and(takesArguments(2))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest"))),
                AsyncRequestWriterInstrumentation.class.getName() + "$SizeRuleAdvice");
    }

    /** The size rule over the request's final headers; shared with {@link H2RequestConverterInstrumentation}. */
    public static final class SizeRuleAdvice {

        private SizeRuleAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpRequest request) {
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (Iterator<Header> it = request.headerIterator(); it.hasNext(); ) {
                Header h = it.next();
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

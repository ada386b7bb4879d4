package io.albtrace.instrumentation.jdk.urlconnection;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import sun.net.www.MessageHeader;

/**
 * {@code sun.net.www.http.HttpClient#writeRequests(MessageHeader, PosterOutputStream, boolean)}: where
 * {@code HttpURLConnection} prints its final request headers (its own {@code User-Agent}, {@code Host},
 * {@code Accept}, {@code Connection}, {@code Content-*}, cookies and authorization included). The size rule
 * (SPEC 3) over them all: over the bound, the trace header is cut to its {@code Root}. Not forwarded again.
 */
public final class NetHttpClientInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("sun.net.www.http.HttpClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeRequests")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("sun.net.www.MessageHeader")))
                        .and(takesArgument(2, boolean.class)),
                NetHttpClientInstrumentation.class.getName() + "$WriteRequestsAdvice");
    }

    /** The size rule over the complete request headers. */
    public static final class WriteRequestsAdvice {

        private WriteRequestsAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) MessageHeader headers) {
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (int i = 0; ; i++) {
                String name = headers.getKey(i);
                String value = headers.getValue(i);
                if (name == null && value == null) {
                    break; // past the end
                }
                if (value != null) { // the request line has a key and no value
                    scan.add(name, value);
                }
            }
            String trace = scan.first();
            if (trace != null) {
                String limited = Outgoing.onWire(trace, scan.allBytes());
                if (limited != trace) {
                    headers.remove(TraceHeader.NAME);
                    headers.add(TraceHeader.NAME, limited);
                }
            }
        }
    }
}

package io.albtrace.instrumentation.jdk;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import net.bytebuddy.asm.Advice;
import sun.net.www.MessageHeader;

/**
 * {@code sun.net.www.protocol.http.HttpURLConnection#writeRequests()}: the one private method every path that
 * sends the request goes through ({@code connect} does not send; {@code getOutputStream}, {@code getInputStream}
 * and {@code getResponseCode}, in any order, do, once). {@code https:} connections delegate to a subclass of
 * this class, so they are covered too. It runs on the thread that calls the connection: the caller's context.
 *
 * <p>On entry the connection's {@code requests} holds the application's own headers. The advice sets exactly
 * one forwarded {@code X-Amzn-Trace-Id} there (the application's first value wins, SPEC 5.1). A header already
 * on {@code requests} that differs from the application's own ({@code userHeaders}, which the JDK keeps apart)
 * was written by this advice for the same request: a retry or a redirect, which keeps it (SPEC 3). The size
 * rule is applied where the bytes are written ({@link NetHttpClientInstrumentation}).
 */
public final class HttpUrlConnectionInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("sun.net.www.protocol.http.HttpURLConnection");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeRequests").and(takesArguments(0)),
                HttpUrlConnectionInstrumentation.class.getName() + "$WriteRequestsAdvice");
    }

    /** Writes the forwarded header once per request. */
    public static final class WriteRequestsAdvice {

        private WriteRequestsAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("requests") MessageHeader requests,
                @Advice.FieldValue("userHeaders") MessageHeader userHeaders) {
            Iterator<String> onRequest = requests.multiValueIterator(TraceHeader.NAME);
            String current = onRequest.hasNext() ? onRequest.next() : null;
            Iterator<String> set = userHeaders.multiValueIterator(TraceHeader.NAME);
            String own = set.hasNext() ? set.next() : null;
            if (current == null || current.equals(own)) {
                String forwarded = Outgoing.header(own, 0);
                requests.remove(TraceHeader.NAME); // every copy: exactly one leaves
                requests.add(TraceHeader.NAME, forwarded);
            }
        }
    }
}

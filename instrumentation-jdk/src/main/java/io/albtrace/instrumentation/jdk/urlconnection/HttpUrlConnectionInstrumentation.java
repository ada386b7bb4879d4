package io.albtrace.instrumentation.jdk.urlconnection;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.io.InputStream;
import java.net.HttpURLConnection;
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
 * was written by this advice for the same request: a retry or a redirect, which keeps it (SPEC 3); a redirect
 * that drops every header (POST turned into GET) gets it back from {@link FollowRedirectAdvice}. The size
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
        target.applyAdvice(named("followRedirect0").and(takesArguments(3)),
                HttpUrlConnectionInstrumentation.class.getName() + "$FollowRedirectAdvice");
        target.applyAdvice(named("getInputStream0").and(takesArguments(0)),
                HttpUrlConnectionInstrumentation.class.getName() + "$HopAdvice");
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

    /**
     * {@code followRedirect0(String, int, URL)} (JDK 11 to 25): a redirected POST that the JDK turns into a GET
     * gets a new, empty {@code requests}, which drops every header, the forwarded one included. The advice puts
     * the value that was sent back, so that the redirect keeps it (SPEC 3) and {@link WriteRequestsAdvice} does
     * not forward it a second time. A value that is the application's own, unforwarded (the agent failed on the
     * first send), is left to the JDK.
     */
    public static final class FollowRedirectAdvice {

        private FollowRedirectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static String enter(@Advice.FieldValue("requests") MessageHeader requests,
                @Advice.FieldValue("userHeaders") MessageHeader userHeaders) {
            String sent = requests.findValue(TraceHeader.NAME);
            return sent == null || sent.equals(userHeaders.findValue(TraceHeader.NAME)) ? null : sent;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Enter String sent, @Advice.FieldValue("requests") MessageHeader requests) {
            if (sent != null && requests.findValue(TraceHeader.NAME) == null) {
                requests.add(TraceHeader.NAME, sent);
            }
        }
    }

    /**
     * The hop log's {@code out} line (SPEC 8): {@code getInputStream0()}, which {@code getInputStream},
     * {@code getResponseCode} and every header getter call, sends the request (unless {@code getOutputStream} did),
     * follows the redirects and authentication follow-ups, and reads the response, once: the first call that finds
     * no response yet begins the hop, and its end finishes it with the status of the connection's last response (the final
     * response's; none when no response came), read from its status line as the JDK does. The header is the one the connection's {@code requests} hold then,
     * as written. Nothing when the hop log is off.
     */
    public static final class HopAdvice {

        private HopAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingHop enter(@Advice.FieldValue("inputStream") InputStream inputStream,
                @Advice.FieldValue("rememberedException") Exception remembered,
                @Advice.This HttpURLConnection connection) {
            return inputStream != null || remembered != null ? null
                    : OutgoingHop.begin(connection.getRequestMethod(), connection.getURL());
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter OutgoingHop hop, @Advice.FieldValue("responses") MessageHeader responses,
                @Advice.FieldValue("requests") MessageHeader requests) {
            if (hop != null) {
                hop.end();
                if (requests != null) {
                    hop.sent(requests.findValue(TraceHeader.NAME));
                }
                hop.finish(OutgoingHop.status(responses == null ? null : responses.getValue(0)));
            }
        }
    }
}

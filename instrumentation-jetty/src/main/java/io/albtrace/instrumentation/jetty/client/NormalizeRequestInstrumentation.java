package io.albtrace.instrumentation.jetty.client;

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
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * Jetty 12 {@code HttpConnection#normalizeRequest(HttpRequest)}: every connection (HTTP/1.1's, HTTP/2's) calls it
 * for each request it is about to send, the first, each redirect and each authentication follow-up, on whichever
 * thread sends it; on return the request has its final headers ({@code Host}, {@code Content-*}, cookies,
 * {@code Authorization}).
 *
 * <p>The advice puts the value of the call kept in the request's conversation ({@link RequestSendInstrumentation})
 * in place of every trace header: forwarded on the first send from the request's own header (the application's
 * wins) or the caller's context, the same value on every later send; with the size rule over all those headers.
 * A proxy's {@code CONNECT} is left as it is. Jetty sends the application's own request object: it holds the
 * header that was sent afterwards (a Jetty request cannot be sent again).
 */
public final class NormalizeRequestInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.eclipse.jetty.client.transport.HttpConnection");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("normalizeRequest")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.eclipse.jetty.client.transport.HttpRequest"))),
                NormalizeRequestInstrumentation.class.getName() + "$NormalizeAdvice");
    }

    /** Writes the call's value, once, over every copy, with the size rule. */
    public static final class NormalizeAdvice {

        private NormalizeAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) HttpRequest request) {
            if ("CONNECT".equalsIgnoreCase(request.getMethod())) {
                return; // the client's tunnel through a proxy, not the call
            }
            HttpConversation conversation = request.getConversation();
            Object kept = conversation.getAttribute(OutgoingCall.ATTRIBUTE);
            OutgoingCall call;
            if (kept instanceof OutgoingCall) {
                call = (OutgoingCall) kept;
            } else {
                // a path the send advice did not see: the context here is the best there is
                call = OutgoingCall.capture();
                conversation.setAttribute(OutgoingCall.ATTRIBUTE, call);
            }
            HttpFields headers = request.getHeaders();
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (HttpField f : headers) {
                scan.add(f.getName(), f.getValue());
            }
            String own = scan.first();
            String wire = OutgoingCall.limit(call.forward(own), scan.otherBytes());
            if ((scan.copies() != 1 || wire != own) && headers instanceof HttpFields.Mutable) {
                ((HttpFields.Mutable) headers).put(TraceHeader.NAME, wire);
            }
        }
    }
}

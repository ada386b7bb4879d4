package io.albtrace.instrumentation.jetty.client;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;

/**
 * Jetty 12 {@code HttpRequest#send(Response.CompleteListener)}: where the application's asynchronous
 * {@code send(listener)}, its synchronous {@code send()} (through {@code CompletableResponseListener}) and the
 * response listeners' helpers ({@code InputStreamResponseListener}, ...) hand the request over, on the caller's
 * thread; the request is then sent on the client's selector and pool threads.
 *
 * <p>The first send of a conversation captures the caller's context in an {@link OutgoingCall} and keeps it in the
 * request's {@code HttpConversation}, which its redirects and authentication follow-ups share (they are sent the
 * same way, from Jetty's own threads: those keep the call). With the hop log on, a complete listener of the agent's
 * ({@link HopListeners}), added to the request before the application's, writes the call's {@code out} line with
 * the final response's status (Jetty notifies the first request's listeners of the conversation's result).
 */
public final class RequestSendInstrumentation implements TypeInstrumentation {

    /** {@link HopListeners}, by name: defined next to the class loader of jetty-client, whose types it uses. */
    static final String HOP_LISTENERS = "io.albtrace.instrumentation.jetty.client.HopListeners";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.eclipse.jetty.client.transport.HttpRequest");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("send")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.eclipse.jetty.client.Response$CompleteListener"))),
                RequestSendInstrumentation.class.getName() + "$SendAdvice");
    }

    /** Keeps a new call, with the caller's context, in the request's conversation. */
    public static final class SendAdvice {

        private SendAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This HttpRequest request) {
            HttpConversation conversation = request.getConversation();
            if (conversation.getAttribute(OutgoingCall.ATTRIBUTE) != null) {
                return; // a redirect or an authentication follow-up of a call: the call's value stays
            }
            OutgoingCall call = OutgoingCall.capture();
            // the hop log's line (null when it is off), finished by a listener with the final status
            OutgoingHop hop = OutgoingHop.of(call.context(), request.getMethod(), request.getURI());
            if (hop != null) {
                @SuppressWarnings("unchecked")
                Function<OutgoingHop, Response.CompleteListener> finisher =
                        (Function<OutgoingHop, Response.CompleteListener>) LibraryHelpers.instance(
                                Response.CompleteListener.class, HOP_LISTENERS);
                if (finisher != null) {
                    // before the application's own listener, which send adds after it
                    request.onComplete(finisher.apply(hop));
                    call.hop(hop);
                }
            }
            conversation.setAttribute(OutgoingCall.ATTRIBUTE, call);
        }
    }
}

package io.albtrace.instrumentation.jetty.client;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import java.util.function.Function;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.client.HttpConversation;
import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.client.api.Response;

/**
 * The advice of {@link Jetty9RequestSendInstrumentation} ({@code HttpRequest#send(Response.CompleteListener)} of
 * Jetty 9.4, 10 and 11): the first send of a conversation keeps a new call, with the caller's context, in the
 * request's {@code HttpConversation}; with the hop log on, adds the agent's complete listener before the
 * application's. Compiled against Jetty 9.4, calling only what 10 and 11 have with the same descriptors.
 */
public final class Jetty9SendAdvice {

    /** {@link Jetty9HopListeners}, by name: defined next to the class loader of jetty-client, whose types it uses. */
    static final String HOP_LISTENERS = "io.albtrace.instrumentation.jetty.client.Jetty9HopListeners";

    private Jetty9SendAdvice() {
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

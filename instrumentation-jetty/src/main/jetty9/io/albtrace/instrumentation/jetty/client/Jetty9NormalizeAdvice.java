package io.albtrace.instrumentation.jetty.client;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.client.HttpConversation;
import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.http.HttpField;

/**
 * The advice of {@link Jetty9NormalizeRequestInstrumentation} ({@code HttpConnection#normalizeRequest} of Jetty 9.4,
 * whose argument is a {@code Request}, and of 10 and 11, an {@code HttpRequest}): on return, puts the value of the
 * call kept in the request's conversation in place of every trace header, with the size rule over the final
 * headers; a proxy's {@code CONNECT} is left as it is.
 *
 * <p>Compiled against Jetty 9.4 and run on 10 and 11 too, so it calls only what the three have with the same
 * descriptors: the headers are read as an {@code Iterable} ({@code HttpFields} is a class in 9.4, an interface
 * later) and written through {@code HttpRequest#header(String, String)} (null removes every copy).
 */
public final class Jetty9NormalizeAdvice {

    private Jetty9NormalizeAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) Object argument) {
        if (!(argument instanceof HttpRequest)) {
            return;
        }
        HttpRequest request = (HttpRequest) argument;
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
        Iterable<?> headers = request.getHeaders();
        // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
        HeaderScan scan = HeaderScan.http1();
        for (Object o : headers) {
            HttpField f = (HttpField) o;
            scan.add(f.getName(), f.getValue());
        }
        String own = scan.first();
        String wire = OutgoingCall.limit(call.forward(own), scan.otherBytes());
        if (scan.copies() != 1 || wire != own) {
            request.header(TraceHeader.NAME, null);
            request.header(TraceHeader.NAME, wire);
        }
    }
}

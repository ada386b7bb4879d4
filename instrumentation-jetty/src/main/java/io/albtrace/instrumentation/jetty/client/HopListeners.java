package io.albtrace.instrumentation.jetty.client;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingHop;
import java.util.function.Function;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;

/**
 * A Jetty 12 {@code Response.CompleteListener} that finishes a call's hop log line ({@link OutgoingHop#finish}) with
 * the final response's status (after Jetty's redirects and authentication follow-ups), none when the call failed.
 * It is added to the request before the application's own listener, so runs first. One maker per jetty-client class
 * loader, defined next to it ({@link LibraryHelpers}); {@link RequestSendInstrumentation} calls it.
 */
public final class HopListeners implements Function<OutgoingHop, Response.CompleteListener>, Response.CompleteListener {

    static {
        LibraryHelpers.created(new HopListeners(null));
    }

    private final OutgoingHop hop;

    private HopListeners(OutgoingHop hop) {
        this.hop = hop;
    }

    @Override
    public Response.CompleteListener apply(OutgoingHop hop) {
        return new HopListeners(hop);
    }

    @Override
    public void onComplete(Result result) {
        if (hop != null) {
            hop.finish(status(result));
        }
    }

    /** The final response's status; -1 when the call failed or none came. Never throws. */
    static int status(Result result) {
        try {
            if (result != null && !result.isFailed() && result.getResponse() != null) {
                return result.getResponse().getStatus();
            }
        } catch (Throwable e) {
            // no status
        }
        return -1;
    }
}

package io.albtrace.instrumentation.jetty.client;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingHop;
import java.util.function.Function;
import org.eclipse.jetty.client.api.Response;
import org.eclipse.jetty.client.api.Result;

/**
 * {@link HopListeners} for Jetty's {@code HttpClient} 9.4, 10 and 11 ({@code org.eclipse.jetty.client.api}): a
 * {@code Response.CompleteListener} that finishes a call's hop log line ({@link OutgoingHop#finish}) with the final
 * response's status, none when the call failed. Compiled against 9.4 with only what 10 and 11 have with the same
 * descriptors. One maker per jetty-client class loader, defined next to it ({@link LibraryHelpers});
 * {@code Jetty9SendAdvice} calls it.
 */
public final class Jetty9HopListeners
        implements Function<OutgoingHop, Response.CompleteListener>, Response.CompleteListener {

    static {
        LibraryHelpers.created(new Jetty9HopListeners(null));
    }

    private final OutgoingHop hop;

    private Jetty9HopListeners(OutgoingHop hop) {
        this.hop = hop;
    }

    @Override
    public Response.CompleteListener apply(OutgoingHop hop) {
        return new Jetty9HopListeners(hop);
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

package io.albtrace.instrumentation.httpclient;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingHop;
import java.util.function.BiFunction;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Wraps an HttpClient 5 async call's {@code FutureCallback} (null included) so that the call's completion finishes
 * its hop log line ({@link OutgoingHop#finish}) before the application's callback runs: with the status of the
 * result when it is a response ({@code SimpleHttpResponse}, a {@code Message} whose head is one), else of the last
 * response the client put in the call's {@code HttpContext} ({@code http.response}: after its redirects and
 * retries, the final one), else none; none when the call failed or was cancelled. One instance per HttpClient class
 * loader, defined next to it ({@link LibraryHelpers}); {@link AsyncHttpClientInstrumentation} calls it.
 */
public final class HopCallbacks implements BiFunction<OutgoingHop, FutureCallback<?>, FutureCallback<?>>,
        FutureCallback<Object> {

    static {
        LibraryHelpers.created(new HopCallbacks(null, null));
    }

    // one class (a helper is defined alone in its loader): the instance made above wraps, the ones it makes finish
    private final OutgoingHop hop;
    private final FutureCallback<Object> app;

    private HopCallbacks(OutgoingHop hop, FutureCallback<Object> app) {
        this.hop = hop;
        this.app = app;
    }

    @Override
    public FutureCallback<?> apply(OutgoingHop hop, FutureCallback<?> callback) {
        @SuppressWarnings("unchecked")
        FutureCallback<Object> app = (FutureCallback<Object>) callback;
        return new HopCallbacks(hop, app);
    }

    @Override
    public void completed(Object result) {
        if (hop != null) {
            hop.finish(status(result, hop.attachment()));
        }
        if (app != null) {
            app.completed(result);
        }
    }

    @Override
    public void failed(Exception ex) {
        if (hop != null) {
            hop.finish(-1);
        }
        if (app != null) {
            app.failed(ex);
        }
    }

    @Override
    public void cancelled() {
        if (hop != null) {
            hop.finish(-1);
        }
        if (app != null) {
            app.cancelled();
        }
    }

    /** The status of {@code result}, else of the context's last response; -1 when neither is known. Never throws. */
    static int status(Object result, Object context) {
        try {
            if (result instanceof HttpResponse) {
                return ((HttpResponse) result).getCode();
            }
            if (result instanceof Message && ((Message<?, ?>) result).getHead() instanceof HttpResponse) {
                return ((HttpResponse) ((Message<?, ?>) result).getHead()).getCode();
            }
            if (context instanceof HttpContext) {
                Object last = ((HttpContext) context).getAttribute("http.response");
                if (last instanceof HttpResponse) {
                    return ((HttpResponse) last).getCode();
                }
            }
        } catch (Throwable e) {
            // a result of the application's own type that fails: no status
        }
        return -1;
    }
}

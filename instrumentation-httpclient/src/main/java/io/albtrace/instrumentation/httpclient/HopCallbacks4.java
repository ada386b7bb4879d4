package io.albtrace.instrumentation.httpclient;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingHop;
import java.util.function.BiFunction;
import org.apache.http.HttpResponse;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.protocol.HttpContext;

/**
 * {@link HopCallbacks} for HttpAsyncClient 4.1 ({@code org.apache.http.concurrent.FutureCallback}): wraps a call's
 * callback (null included) so that the call's completion finishes its hop log line before the application's
 * callback runs, with the status of the result when it is a response, else of the last response the client put in
 * the call's {@code HttpContext} ({@code http.response}: after its redirects and retries, the final one), else none;
 * none when the call failed or was cancelled. One instance per httpcore class loader ({@link LibraryHelpers});
 * {@link AsyncClient4Instrumentation} calls it.
 */
public final class HopCallbacks4 implements BiFunction<OutgoingHop, FutureCallback<?>, FutureCallback<?>>,
        FutureCallback<Object> {

    static {
        LibraryHelpers.created(new HopCallbacks4(null, null));
    }

    private final OutgoingHop hop;
    private final FutureCallback<Object> app;

    private HopCallbacks4(OutgoingHop hop, FutureCallback<Object> app) {
        this.hop = hop;
        this.app = app;
    }

    @Override
    public FutureCallback<?> apply(OutgoingHop hop, FutureCallback<?> callback) {
        @SuppressWarnings("unchecked")
        FutureCallback<Object> app = (FutureCallback<Object>) callback;
        return new HopCallbacks4(hop, app);
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
            if (result instanceof HttpResponse && ((HttpResponse) result).getStatusLine() != null) {
                return ((HttpResponse) result).getStatusLine().getStatusCode();
            }
            if (context instanceof HttpContext) {
                Object last = ((HttpContext) context).getAttribute("http.response");
                if (last instanceof HttpResponse && ((HttpResponse) last).getStatusLine() != null) {
                    return ((HttpResponse) last).getStatusLine().getStatusCode();
                }
            }
        } catch (Throwable e) {
            // a result of the application's own type that fails: no status
        }
        return -1;
    }
}

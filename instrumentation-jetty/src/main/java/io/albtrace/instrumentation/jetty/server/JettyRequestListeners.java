package io.albtrace.instrumentation.jetty.server;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.ServerEntry;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;

/**
 * A Jetty 12 request's completion listener ({@code Request.addCompletionListener}) that finishes the request's hop log
 * {@code in} line ({@link ServerEntry#finish}) with its response's status once the request is complete (the
 * handler's {@code Callback} succeeded or failed and the response was written), on whichever thread completes it; no
 * status when the request failed before a response was committed. One maker per jetty-server class loader, defined
 * next to it ({@link LibraryHelpers}); {@link ServerHandleInstrumentation} calls it.
 */
public final class JettyRequestListeners implements BiFunction<Object, Object, Object>, Consumer<Throwable> {

    static {
        LibraryHelpers.created(new JettyRequestListeners(null, null));
    }

    private final ServerEntry entry;
    private final Response response;

    private JettyRequestListeners(ServerEntry entry, Response response) {
        this.entry = entry;
        this.response = response;
    }

    /** A listener that finishes {@code entry}'s line with {@code response}'s status. */
    @Override
    public Object apply(Object entry, Object response) {
        return new JettyRequestListeners((ServerEntry) entry, (Response) response);
    }

    @Override
    public void accept(Throwable failure) {
        if (entry == null) {
            return;
        }
        int status = -1;
        try {
            // a request that failed before its response was committed is answered by Jetty's error handling with a
            // 500 (12.0 completes the request before that answer shows on this response; 12.1 after)
            status = failure != null && !response.isCommitted() ? 500 : response.getStatus();
        } catch (Throwable e) {
            // no status
        }
        entry.finish(status);
    }
}

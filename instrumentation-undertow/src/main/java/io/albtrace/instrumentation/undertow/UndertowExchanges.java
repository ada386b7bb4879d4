package io.albtrace.instrumentation.undertow;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.ServerEntry;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the Undertow advice keeps with an exchange, made next to Undertow's classes ({@link LibraryHelpers}: one per
 * undertow-core class loader, whose types it implements and uses):
 * <ul>
 *   <li>{@link #get()}: the {@code AttachmentKey} under which an exchange holds the {@link ServerEntry} of its first
 *       entry (its context, and its hop log line), so that every later pass of the same exchange (a dispatch to a
 *       worker, a servlet's asynchronous dispatch) binds that context again, and a new exchange (the next request on
 *       a kept-alive connection) never finds one;</li>
 *   <li>{@link #apply}: an {@code ExchangeCompletionListener} that finishes that entry's hop log {@code in} line with
 *       the response's status when the exchange completes, on whichever thread.</li>
 * </ul>
 */
public final class UndertowExchanges implements Supplier<Object>, Function<Object, Object>,
        ExchangeCompletionListener {

    private static final AttachmentKey<ServerEntry> ENTRY = AttachmentKey.create(ServerEntry.class);

    static {
        LibraryHelpers.created(new UndertowExchanges(null));
    }

    private final ServerEntry entry;

    private UndertowExchanges(ServerEntry entry) {
        this.entry = entry;
    }

    /** The exchanges' attachment key of the request's first {@link ServerEntry}. */
    @Override
    public Object get() {
        return ENTRY;
    }

    /** A completion listener that finishes {@code entry}'s hop log line. */
    @Override
    public Object apply(Object entry) {
        return new UndertowExchanges((ServerEntry) entry);
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            if (entry != null) {
                entry.finish(exchange.getStatusCode());
            }
        } catch (Throwable ignored) {
            // ServerEntry.finish does not throw; getStatusCode neither
        } finally {
            next.proceed();
        }
    }
}

package io.albtrace.instrumentation.undertow;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Undertow 2.2, 2.3 and 2.4 ({@code io.undertow:undertow-core}) as a server entry point (SPEC 4), its own
 * {@code HttpHandler}s and what is built on them (Undertow's servlet layer included):
 * {@code albtrace.instrumentation.undertow.enabled}.
 * <ul>
 *   <li>{@link ConnectorsInstrumentation}: a request's context is bound while its handlers run, on the I/O thread
 *       and on the worker a {@code dispatch} moves it to; one entry per exchange (one context, one hop log line);
 *       </li>
 *   <li>{@link HttpServerExchangeInstrumentation}: a task given to {@code exchange.dispatch(executor, runnable)}
 *       runs with its request's context.</li>
 * </ul>
 * Not covered: callbacks Undertow calls later on the I/O thread outside the handler (a request body's
 * {@code Receiver} callback once the body arrives, a {@code Sender}'s {@code IoCallback}) run with no context.
 */
public final class UndertowInstrumentationModule extends InstrumentationModule {

    public UndertowInstrumentationModule() {
        super("undertow");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new ConnectorsInstrumentation(), new HttpServerExchangeInstrumentation());
    }

    @Override
    public List<String> typeNames() {
        return Arrays.asList(ConnectorsInstrumentation.TYPE, HttpServerExchangeInstrumentation.TYPE);
    }
}

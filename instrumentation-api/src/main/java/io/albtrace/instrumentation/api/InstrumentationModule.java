package io.albtrace.instrumentation.api;

import java.util.List;

/**
 * One library family's instrumentation (OkHttp, Apache HttpClient, ...). Implementations are listed in
 * {@code META-INF/services/io.albtrace.instrumentation.api.InstrumentationModule} and found by the
 * {@link Installer}; each is switched by {@code albtrace.instrumentation.NAME.enabled}.
 *
 * <p>Construction and {@link #typeInstrumentations()} run at start-up, so they must be trivial: no Byte Buddy
 * types, no class loading, no I/O.
 */
public abstract class InstrumentationModule {

    private final String name;

    protected InstrumentationModule(String name) {
        this.name = name;
    }

    /** The name used in configuration and in messages, e.g. {@code okhttp}. */
    public final String name() {
        return name;
    }

    /** The types this module changes, each with its matcher and advice. */
    public abstract List<TypeInstrumentation> typeInstrumentations();

    @Override
    public String toString() {
        return name;
    }
}

package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import java.util.List;

/**
 * A module with a bug in its set-up: {@code typeInstrumentations()} throws. Listed only by
 * {@code InstallerTest}'s own service files.
 */
public final class ThrowingSetupModule extends InstrumentationModule {

    public ThrowingSetupModule() {
        super("okhttp");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        throw new IllegalStateException("deliberately broken set-up");
    }
}

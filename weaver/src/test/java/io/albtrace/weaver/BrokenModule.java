package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import java.util.List;

/** A module whose construction fails; listed only by {@code InstallerTest}'s own service file. */
public final class BrokenModule extends InstrumentationModule {

    public BrokenModule() {
        super(fail());
    }

    private static String fail() {
        throw new IllegalStateException("deliberately broken module");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return List.of();
    }
}

package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A module that names its classes itself, as the agent's modules do, and counts how often it is asked for its type
 * instrumentations. It names one class too many ({@link #UNLISTED}: none of its type instrumentations has it), a
 * bug the installer reports. Listed only by {@code InstallerTest}'s own service files; no class has these names.
 */
public final class LazyModule extends InstrumentationModule {

    static final String LAZY = TestInstrumentations.FIXTURES + "Lazy";
    static final String UNLISTED = TestInstrumentations.FIXTURES + "Unlisted";
    static final AtomicInteger CREATED = new AtomicInteger();
    /** Run once while the type instrumentations are created, when set: a class load that happens meanwhile. */
    static volatile Runnable duringCreation;

    public LazyModule() {
        super("http-url-connection");
    }

    @Override
    public List<String> typeNames() {
        return List.of(LAZY, UNLISTED);
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        CREATED.incrementAndGet();
        Runnable r = duringCreation;
        duringCreation = null;
        if (r != null) {
            r.run();
        }
        return List.of(new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return List.of(LAZY);
            }

            @Override
            public void transform(AdviceTarget target) {
                // changes nothing: only when it is created counts
            }
        });
    }
}

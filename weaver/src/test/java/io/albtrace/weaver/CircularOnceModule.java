package io.albtrace.weaver;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Greeter's instrumentation, whose weave meets a {@link ClassCircularityError} the first {@link #failures} times, as
 * when another agent's transformer loads classes on the same thread at the same moment. Used only by
 * {@code InstallerTest}, which creates it directly.
 */
final class CircularOnceModule extends InstrumentationModule {

    final AtomicInteger failures;

    CircularOnceModule(int failures) {
        super("okhttp");
        this.failures = new AtomicInteger(failures);
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return List.of(new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return List.of(TestInstrumentations.GREETER);
            }

            @Override
            public void transform(AdviceTarget target) {
                if (failures.getAndDecrement() > 0) {
                    throw new ClassCircularityError("java/util/concurrent/ForkJoinTask");
                }
                new TestInstrumentations.GreeterInstrumentation().transform(target);
            }
        });
    }
}

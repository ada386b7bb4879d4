package io.albtrace.instrumentation.reactor;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * reactor-core 3.5+: the context through a {@code Mono}'s or {@code Flux}'s operators and onto Reactor's schedulers
 * ({@code albtrace.instrumentation.reactor.enabled}).
 */
public final class ReactorInstrumentationModule extends InstrumentationModule {

    public ReactorInstrumentationModule() {
        super("reactor");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new AssemblyInstrumentation(), new HooksInstrumentation(),
                new SchedulersInstrumentation(), new SinksInstrumentation());
    }

    /** The sinks of {@code Sinks} that {@link SinksInstrumentation} changes. */
    static final List<String> SINKS = Collections.unmodifiableList(Arrays.asList(
            "reactor.core.publisher.SinkEmptyMulticast",
            "reactor.core.publisher.SinkOneMulticast",
            "reactor.core.publisher.SinkManyBestEffort",
            "reactor.core.publisher.SinkManyEmitterProcessor",
            "reactor.core.publisher.SinkManyReplayProcessor",
            "reactor.core.publisher.SinkManyUnicast",
            "reactor.core.publisher.SinkManyUnicastNoBackpressure"));

    @Override
    public List<String> typeNames() {
        List<String> names = new ArrayList<>(SINKS);
        names.addAll(Arrays.asList(
                "reactor.core.publisher.Flux",
                "reactor.core.publisher.Mono",
                "reactor.core.publisher.ParallelFlux",
                "reactor.core.publisher.Hooks",
                "reactor.core.scheduler.Schedulers"));
        return names;
    }
}

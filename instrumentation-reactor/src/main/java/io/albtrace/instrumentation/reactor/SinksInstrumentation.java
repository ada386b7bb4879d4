package io.albtrace.instrumentation.reactor;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.List;
import java.util.function.BiFunction;
import net.bytebuddy.asm.Advice;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Hooks;

/**
 * The sinks of {@code Sinks} ({@code one()}, {@code empty()}, {@code many()...}): a sink is its own {@code Mono} or
 * {@code Flux} ({@code asMono()}, {@code asFlux()}), made without passing through {@code onAssembly}, so the
 * operator hook ({@link AssemblyInstrumentation}) never wraps the subscriber given to it, that of the first
 * operator after it ({@code sink.asMono().map(f)}: {@code f} would run with whatever the emitting thread has
 * bound). {@code subscribe(CoreSubscriber)} wraps that subscriber as the hook does ({@link ContextSubscriber}),
 * where a context is bound; elsewhere it costs one read of the context.
 */
public final class SinksInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return ReactorInstrumentationModule.SINKS;
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("subscribe").and(takesArguments(1))
                        .and(takesArgument(0, named("reactor.core.CoreSubscriber"))),
                SinksInstrumentation.class.getName() + "$SubscribeAdvice");
    }

    /** Wraps the subscriber with the subscribing thread's context. */
    public static final class SubscribeAdvice {

        private SubscribeAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public static void enter(@Advice.Argument(value = 0, readOnly = false) CoreSubscriber actual) {
            if (actual != null && Context.current() != null) {
                Object lifter = LibraryHelpers.instance(Hooks.class,
                        "io.albtrace.instrumentation.reactor.ContextSubscriber");
                if (lifter != null) {
                    actual = (CoreSubscriber) ((BiFunction) lifter).apply(null, actual);
                }
            }
        }
    }
}

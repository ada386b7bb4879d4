package io.albtrace.instrumentation.reactor;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import net.bytebuddy.asm.Advice;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Operators;

/**
 * {@code Flux.onAssembly}, {@code Mono.onAssembly} and {@code ParallelFlux.onAssembly}, through which every operator
 * of reactor-core passes when it is assembled: the first of them in a reactor-core class loader registers the
 * agent's operator hook ({@code Hooks.onEachOperator} under the key {@link #HOOK_KEY}, a lift with
 * {@link ContextSubscriber}), before the hooks are read for that very operator. So nothing happens in premain, nor
 * before the application first uses Reactor; afterwards each assembly pays two reads. The application's own hooks,
 * under their own keys, are left as they are.
 */
public final class AssemblyInstrumentation implements TypeInstrumentation {

    /** The key of the agent's hook among the application's ({@code Hooks.onEachOperator(key, ...)}). */
    public static final String HOOK_KEY = "albtrace.context";

    @Override
    public List<String> typeNames() {
        return Arrays.asList("reactor.core.publisher.Flux", "reactor.core.publisher.Mono",
                "reactor.core.publisher.ParallelFlux");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("onAssembly").and(isStatic()).and(takesArguments(1)),
                AssemblyInstrumentation.class.getName() + "$RegisterAdvice");
    }

    /** Registers the hook the first time (per reactor-core class loader). */
    public static final class RegisterAdvice {

        private RegisterAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public static void enter() {
            if (LibraryHelpers.firstUse(Hooks.class)) {
                Object lifter = LibraryHelpers.instance(Hooks.class,
                        "io.albtrace.instrumentation.reactor.ContextSubscriber");
                if (lifter != null) {
                    Hooks.onEachOperator("albtrace.context", Operators.lift((Predicate) lifter, (BiFunction) lifter));
                }
            }
        }
    }
}

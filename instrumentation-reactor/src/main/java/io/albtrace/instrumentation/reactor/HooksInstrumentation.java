package io.albtrace.instrumentation.reactor;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import net.bytebuddy.asm.Advice;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Operators;

/**
 * {@code Hooks.resetOnEachOperator()}, by which an application removes every operator hook (its own, usually, in
 * tests): the agent's hook is registered again right after, so the context still follows the operators assembled
 * from then on. Removing it by its key ({@code resetOnEachOperator("albtrace.context")}) is left to the
 * application.
 */
public final class HooksInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("reactor.core.publisher.Hooks");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("resetOnEachOperator").and(isStatic()).and(takesArguments(0)),
                HooksInstrumentation.class.getName() + "$ResetAdvice");
    }

    /** Puts the agent's hook back. */
    public static final class ResetAdvice {

        private ResetAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public static void exit() {
            Object lifter = LibraryHelpers.instance(Hooks.class,
                    "io.albtrace.instrumentation.reactor.ContextSubscriber");
            if (lifter != null) {
                Hooks.onEachOperator("albtrace.context", Operators.lift((Predicate) lifter, (BiFunction) lifter));
            }
        }
    }
}

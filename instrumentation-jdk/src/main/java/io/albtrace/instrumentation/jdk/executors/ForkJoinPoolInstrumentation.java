package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.namedOneOf;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ForkJoinTask;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.util.concurrent.ForkJoinPool}'s {@code execute}, {@code submit}, {@code invoke} and
 * {@code lazySubmit} (Java 19+) of a {@code ForkJoinTask} of the application's: the task is captured as by
 * {@code fork()} ({@link ForkJoinTaskInstrumentation}), and runs with the caller's context.
 */
public final class ForkJoinPoolInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.ForkJoinPool");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(namedOneOf("execute", "submit", "invoke", "lazySubmit").and(takesArguments(1))
                        .and(takesArgument(0, ForkJoinTask.class)),
                ForkJoinPoolInstrumentation.class.getName() + "$SubmitAdvice");
    }

    /** Captures the caller's context for the task. */
    public static final class SubmitAdvice {
        private SubmitAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object task) {
            CapturedContexts.captureTask(task);
        }
    }
}

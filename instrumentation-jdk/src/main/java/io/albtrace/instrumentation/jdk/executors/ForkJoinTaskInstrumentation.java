package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.util.concurrent.ForkJoinTask}: the application's own tasks ({@code RecursiveTask},
 * {@code RecursiveAction}, {@code CountedCompleter}, and so a parallel stream's), forked where a context is bound
 * (see {@link ForkJoinPoolInstrumentation} for those given to a pool), run with it. {@code fork()} captures it into a
 * weak side table ({@link CapturedContexts}: Java 25 loads {@code ForkJoinTask} before premain, and at attach it may
 * be loaded, so no field is added), and {@code doExec()}, where every task runs, on a pool's worker or on a thread
 * that helps while it joins, takes it out and binds it for that run, then restores the running thread's own. A
 * worker running a task with the context forks subtasks that get it too. While the table is empty a run costs one
 * read of it. The JDK's adapters of a {@code Runnable} or {@code Callable} and {@code CompletableFuture}'s tasks carry
 * the context themselves ({@link ForkJoinTaskAdaptersInstrumentation}, {@link CompletableFutureInstrumentation}) and
 * are not captured twice.
 */
public final class ForkJoinTaskInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.ForkJoinTask");
    }

    @Override
    public void transform(AdviceTarget target) {
        String name = ForkJoinTaskInstrumentation.class.getName();
        target.applyAdvice(named("fork").and(takesArguments(0)), name + "$ForkAdvice");
        target.applyAdvice(named("doExec").and(takesArguments(0)), name + "$DoExecAdvice");
    }

    /** Captures the forking thread's context for the task. */
    public static final class ForkAdvice {
        private ForkAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object task) {
            CapturedContexts.captureTask(task);
        }
    }

    /** Binds what the task captured for its run, and restores the running thread's context afterwards. */
    public static final class DoExecAdvice {
        private DoExecAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.This Object task) {
            return CapturedContexts.beginTask(task);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object binding) {
            CapturedContexts.end(binding);
        }
    }
}

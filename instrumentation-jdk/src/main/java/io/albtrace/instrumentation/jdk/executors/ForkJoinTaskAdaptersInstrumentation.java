package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.takesArgument;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code ForkJoinTask} adapters that {@code ForkJoinPool.execute}, {@code submit}, {@code invoke},
 * {@code invokeAll}, {@code invokeAny} and {@code ForkJoinTask.adapt} make of a {@code Runnable} or a
 * {@code Callable} (the names differ between Java 17 and 25; whichever exist are changed). The application's task
 * is captured inside the adapter, which is the {@code Future} the application gets. A {@code ForkJoinTask} given
 * to the pool as it is (a {@code RecursiveTask}, a parallel stream's, {@code ForkJoinTask.fork}) is not covered.
 */
public final class ForkJoinTaskAdaptersInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "java.util.concurrent.ForkJoinTask$AdaptedRunnable",
                "java.util.concurrent.ForkJoinTask$AdaptedRunnableAction",
                "java.util.concurrent.ForkJoinTask$RunnableExecuteAction",
                "java.util.concurrent.ForkJoinTask$AdaptedCallable",
                "java.util.concurrent.ForkJoinTask$AdaptedInterruptibleCallable",
                "java.util.concurrent.ForkJoinTask$AdaptedInterruptibleRunnable");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor().and(takesArgument(0, Callable.class).or(takesArgument(0, Runnable.class))),
                CaptureAdvice.First.class.getName());
    }
}

package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.takesArgument;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java.util.concurrent.FutureTask(Callable)} and {@code FutureTask(Runnable, V)}: what every
 * {@code ExecutorService.submit}, {@code invokeAll} and {@code invokeAny} of the JDK's executors makes (through
 * {@code AbstractExecutorService.newTaskFor}), and, as {@code ScheduledFutureTask}, every schedule of a
 * {@code ScheduledThreadPoolExecutor}, periodic ones included. The application's task is captured inside the
 * {@code FutureTask}, whose callable nobody else sees: the application keeps its own {@code Future},
 * {@code ScheduledFuture}, the queue and {@code shutdownNow()} hold them, {@code beforeExecute}/{@code afterExecute}
 * see them. Each run (each period) binds the context. A cancelled task drops its callable, and with it the capture.
 */
public final class FutureTaskInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.FutureTask");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor().and(takesArgument(0, Callable.class).or(takesArgument(0, Runnable.class))),
                CaptureAdvice.First.class.getName());
    }
}

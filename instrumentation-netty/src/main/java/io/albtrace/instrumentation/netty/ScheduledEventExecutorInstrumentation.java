package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;

/**
 * {@code AbstractScheduledEventExecutor.schedule(Runnable|Callable, long, TimeUnit)}: a one-shot task scheduled on an
 * event loop where a context is bound runs with it, as {@link EventExecutorInstrumentation}'s tasks do. Periodic
 * tasks ({@code scheduleAtFixedRate}, {@code scheduleWithFixedDelay}) are left alone: they run for the life of a
 * connection or of the application, for no one request.
 */
public final class ScheduledEventExecutorInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.util.concurrent.AbstractScheduledEventExecutor";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("schedule").and(takesArguments(3)).and(takesArgument(0, Runnable.class)),
                ScheduledEventExecutorInstrumentation.class.getName() + "$RunnableAdvice");
        target.applyAdvice(named("schedule").and(takesArguments(3)).and(takesArgument(0, Callable.class)),
                ScheduledEventExecutorInstrumentation.class.getName() + "$CallableAdvice");
    }

    /** Wraps the task in the context bound here, if any. */
    public static final class RunnableAdvice {

        private RunnableAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = (Runnable) ContextTask.wrap(task);
        }
    }

    /** Wraps the task in the context bound here, if any. */
    public static final class CallableAdvice {

        private CallableAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = (Callable<?>) ContextTask.wrap(task);
        }
    }
}

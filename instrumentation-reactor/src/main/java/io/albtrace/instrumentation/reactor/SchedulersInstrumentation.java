package io.albtrace.instrumentation.reactor;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code Schedulers.onSchedule(Runnable)}, which every Reactor scheduler backed by an executor ({@code parallel},
 * {@code single}, {@code boundedElastic}, {@code newXxx}, {@code fromExecutor...}, their workers, and the timers of
 * {@code Mono.delay}, {@code Flux.interval}, timeouts) applies to each task before it queues it: the task it returns,
 * after the application's own schedule hooks, carries the context of the thread that schedules it
 * ({@link ContextTask}), bound with the MDC for exactly that task's run and removed afterwards. Where no context is
 * bound, the task is returned as it is. A task that then reaches a JDK executor is captured there too by the
 * {@code executors} instrumentation, with the same context: the second binding finds it bound and binds nothing.
 * Advice rather than {@code Schedulers.onScheduleHook}: nothing to register, and an application's
 * {@code Schedulers.resetOnScheduleHooks()} cannot remove it.
 */
public final class SchedulersInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("reactor.core.scheduler.Schedulers");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("onSchedule").and(isStatic()).and(takesArguments(1)),
                SchedulersInstrumentation.class.getName() + "$OnScheduleAdvice");
    }

    /** Wraps the task to be scheduled with the scheduling thread's context. */
    public static final class OnScheduleAdvice {

        private OnScheduleAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false) Runnable task) {
            task = (Runnable) ContextTask.wrapAny(task);
        }
    }
}

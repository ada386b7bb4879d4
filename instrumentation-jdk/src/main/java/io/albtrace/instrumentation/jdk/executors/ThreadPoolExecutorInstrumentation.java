package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.core.Context;
import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * {@code java.util.concurrent.ThreadPoolExecutor} (and every subclass that does not replace these methods, and
 * the pools of {@code Executors}): {@code execute(Runnable)} with a bare {@code Runnable} (not a {@code Future},
 * which captures for itself: see {@link FutureTaskInstrumentation}). Nothing else can carry the context of such a
 * task, so it is queued as a {@link ContextTask}, but only in the JDK's FIFO queues, which never look at their
 * elements (a {@code PriorityBlockingQueue} of {@code Comparable} tasks, or a queue of the application's own, is
 * left alone: those tasks run without the context). The wrapper is taken off wherever the application could see it:
 * <ul>
 * <li>{@code getTask()}, where a worker takes its next task: it binds the context and returns the application's
 *     own task, which {@code beforeExecute}, the run and {@code afterExecute} then see; the binding ends when the
 *     worker asks for its next task, or ends (see {@link ThreadPoolWorkerInstrumentation}, which does the same
 *     for a worker's first task);</li>
 * <li>{@code reject(Runnable)}: the {@code RejectedExecutionHandler} gets the application's task (and the wrapper,
 *     with its capture, is dropped);</li>
 * <li>{@code remove(Runnable)} finds the application's task; {@code shutdownNow()} returns the application's
 *     tasks.</li>
 * </ul>
 * {@code getQueue()} shows the queue as it is, wrappers included. The worker threads {@code addWorker} creates and
 * starts, from whichever thread made the pool need one (often one that serves a request), capture no context for
 * their life ({@link ThreadInstrumentation}).
 */
public final class ThreadPoolExecutorInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.ThreadPoolExecutor");
    }

    @Override
    public void transform(AdviceTarget target) {
        String name = ThreadPoolExecutorInstrumentation.class.getName();
        target.applyAdvice(named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                name + "$ExecuteAdvice");
        target.applyAdvice(named("getTask").and(takesArguments(0)), name + "$GetTaskAdvice");
        target.applyAdvice(named("reject").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                name + "$RejectAdvice");
        target.applyAdvice(named("remove").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                name + "$RemoveAdvice");
        target.applyAdvice(named("shutdownNow").and(takesArguments(0)), name + "$ShutdownNowAdvice");
        target.applyAdvice(named("addWorker").and(takesArguments(2)), name + "$AddWorkerAdvice");
    }

    /** Queues a bare task with the caller's context. */
    public static final class ExecuteAdvice {
        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object command,
                @Advice.FieldValue("workQueue") Object queue) {
            if (Context.current() != null && ContextTask.fifoQueue(queue)) {
                command = ContextTask.wrap(command);
            }
        }
    }

    /** Ends the previous task's binding; binds the next task's context and hands the worker the task itself. */
    public static final class GetTaskAdvice {
        private GetTaskAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            ContextTask.endWorkerTask();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = ContextTask.beginWorkerTask(task);
        }
    }

    /** The rejection handler sees the application's task. */
    public static final class RejectAdvice {
        private RejectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object command) {
            command = ContextTask.unwrap(command);
        }
    }

    /** {@code remove(task)} finds the task the application queued. */
    public static final class RemoveAdvice {
        private RemoveAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) Object task, @Advice.FieldValue("workQueue") Collection<?> queue,
                @Advice.Return(readOnly = false) boolean removed) {
            if (!removed) {
                removed = ContextTask.removeWrapped(queue, task);
            }
        }
    }

    /** {@code shutdownNow()} returns the tasks the application queued. */
    public static final class ShutdownNowAdvice {
        private ShutdownNowAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return List<?> tasks) {
            ContextTask.unwrapAll(tasks);
        }
    }

    /** The worker thread created and started here captures nothing ({@code Thread.start}). */
    public static final class AddWorkerAdvice {
        private AddWorkerAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static boolean enter() {
            return CapturedContexts.beginPoolWorker();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter boolean set) {
            CapturedContexts.endPoolWorker(set);
        }
    }
}

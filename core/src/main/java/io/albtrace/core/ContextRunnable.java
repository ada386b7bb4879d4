package io.albtrace.core;

/**
 * A task that runs with the context that was current where it was handed to another thread (SPEC 5): made by
 * advice where work leaves the thread that serves a request (a servlet's {@code AsyncContext.start}, an
 * executor), it binds the captured context for exactly the task's run (and puts it into the log MDC, unless
 * {@code albtrace.mdc.enabled=false}) and then restores whatever the running thread had, so a pooled thread keeps
 * nothing afterwards. Run on a thread that has that context bound already, it binds nothing a second time.
 * {@link ContextTask} does the same for the other functional interfaces, for the executors instrumentation.
 *
 * <pre>{@code
 * task = ContextRunnable.wrap(task);   // in the enter advice of the method that hands the task over
 * }</pre>
 */
public final class ContextRunnable implements Runnable {

    private final String context;
    private final Runnable task;

    private ContextRunnable(String context, Runnable task) {
        this.context = context;
        this.task = task;
    }

    /**
     * The task to hand over in place of {@code task}: {@code task} itself when no context is bound here (nothing
     * is captured, nothing allocated), when it is null, or when it already carries a context (a
     * {@link ContextRunnable} or {@link ContextTask}); otherwise a wrapper that binds this thread's context while it
     * runs. Never throws.
     */
    public static Runnable wrap(Runnable task) {
        String context = Context.current();
        if (context == null || task == null || task instanceof ContextRunnable || task instanceof ContextTask) {
            return task;
        }
        return new ContextRunnable(context, task);
    }

    /** The context this task runs with. */
    public String context() {
        return context;
    }

    /** The task this wraps. */
    public Runnable task() {
        return task;
    }

    @Override
    public void run() {
        String previous = Context.current();
        Mdc.Saved mdc = ContextTask.enter(context, previous, task);
        try {
            task.run();
        } finally {
            ContextTask.exit(previous, mdc);
        }
    }

    @Override
    public String toString() {
        return task.toString();
    }
}

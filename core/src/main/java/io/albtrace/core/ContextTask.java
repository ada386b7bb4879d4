package io.albtrace.core;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A piece of application code handed to another thread (an executor's task, a {@code CompletableFuture} stage's
 * function, a virtual thread's task), carrying the context that was current where it was handed over (SPEC 5):
 * the executors instrumentation puts it in place of the application's object where the JDK keeps that object
 * out of the application's sight (inside a {@code FutureTask}, a {@code ForkJoinTask} adapter, a completion
 * stage, a virtual thread), and unwraps it wherever the application could see it again.
 *
 * <p>While it runs, the captured context is bound (and, unless {@code albtrace.mdc.enabled=false}, put into the
 * log MDC) and afterwards whatever the running thread had is restored, so a pooled thread keeps nothing. It
 * implements the functional interfaces the JDK's executors and {@code CompletableFuture} take, each delegating
 * to the same method of the wrapped object; {@link BiFunction} is taken by a second class ({@link Bi}), because
 * its {@code andThen} clashes with {@link Function}'s.
 *
 * <p>Nothing is captured, and nothing allocated, where no context is bound. A {@link Future} (a
 * {@code FutureTask}, a {@code ForkJoinTask}, a {@code CompletableFuture} completion) is not wrapped by
 * {@link #wrap}: those carry their own capture, made when they were created.
 */
public final class ContextTask implements Runnable, Callable<Object>, Supplier<Object>, Function<Object, Object>,
        Consumer<Object>, BiConsumer<Object, Object> {

    /** The binding a thread pool's worker made for the task it is running (see {@link #beginWorkerTask}). */
    private static final ThreadLocal<Binding> WORKER = new ThreadLocal<>();
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private final String context;
    private final Object task;

    private ContextTask(String context, Object task) {
        this.context = context;
        this.task = task;
    }

    /**
     * What to hand over in place of {@code task}: {@code task} itself when no context is bound here, when it is
     * null, a {@link Future}, or already carries a context (a {@link ContextTask}); else a
     * wrapper of the same functional interfaces that binds this thread's context while it runs. Never throws.
     */
    public static Object wrap(Object task) {
        String context = Context.current();
        if (context == null || task == null || task instanceof Future) {
            return task;
        }
        return capture(context, task);
    }

    /**
     * Like {@link #wrap}, for the function of a synchronous {@code CompletableFuture} stage ({@code thenApply},
     * {@code whenComplete}, ...): only an application's function is wrapped, not one of the JDK's own (a class of
     * the boot or platform loader, which the JDK chains inside its own code, the HTTP client's for one). The stage
     * then runs with the context where it was made, whichever thread completes the stage before it (another
     * request's, or the client's own); where it runs on a thread that has that context already, nothing is bound.
     */
    public static Object wrapApplication(Object task) {
        String context = Context.current();
        if (context == null || task == null || task instanceof Future) {
            return task;
        }
        ClassLoader loader = task.getClass().getClassLoader();
        if (loader == null || loader == PLATFORM) {
            return task;
        }
        return capture(context, task);
    }

    /**
     * Like {@link #wrap}, also for a {@link Future}: for a thread's own task, which nothing but the thread ever
     * sees (a virtual thread's, which may be the {@code Future} of a thread-per-task executor). A Future that
     * captured the same context binds nothing a second time ({@link #begin}).
     */
    public static Object wrapAny(Object task) {
        String context = Context.current();
        if (context == null || task == null) {
            return task;
        }
        return capture(context, task);
    }

    /**
     * Like {@link #wrapAny}, for a task given to a servlet container's {@code AsyncContext.start}: where this thread
     * has no context, the task runs with the one its request kept ({@link AsyncContexts#requestContext}).
     */
    public static Object wrapForAsyncStart(Object task, Object asyncContext) {
        if (task == null || Context.current() != null) {
            return wrapAny(task);
        }
        String context = AsyncContexts.requestContext(asyncContext);
        return context == null ? task : capture(context, task);
    }

    private static Object capture(String context, Object task) {
        if (task instanceof ContextTask || task instanceof Bi) {
            return task;
        }
        if (task instanceof BiFunction) {
            // a BiFunction that is also one of the other interfaces cannot be represented by one wrapper: left as is
            boolean other = task instanceof Runnable || task instanceof Callable || task instanceof Supplier
                    || task instanceof Function || task instanceof Consumer || task instanceof BiConsumer;
            return other ? task : new Bi(context, task);
        }
        return new ContextTask(context, task);
    }

    /** The application's object inside {@code task} when it is a {@link ContextTask}, else {@code task}. */
    public static Object unwrap(Object task) {
        return task instanceof ContextTask ? ((ContextTask) task).task : task;
    }

    /** Replaces, in place, each {@link ContextTask} in {@code tasks} by the application's object. Never throws. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void unwrapAll(List tasks) {
        if (tasks == null) {
            return;
        }
        try {
            for (int i = 0; i < tasks.size(); i++) {
                Object t = tasks.get(i);
                if (t instanceof ContextTask) {
                    tasks.set(i, ((ContextTask) t).task);
                }
            }
        } catch (RuntimeException e) {
            Log.warnOnce("context-task-unwrap", "could not unwrap the tasks of a list (said once): " + e);
        }
    }

    /**
     * Removes from {@code queue} the first {@link ContextTask} that wraps exactly {@code task}: what
     * {@code ThreadPoolExecutor.remove(task)} does when the queue holds the wrapper. True when one was removed.
     */
    public static boolean removeWrapped(Collection<?> queue, Object task) {
        if (queue == null || task == null) {
            return false;
        }
        for (Iterator<?> it = queue.iterator(); it.hasNext(); ) {
            Object t = it.next();
            if (t instanceof ContextTask && ((ContextTask) t).task == task) {
                return queue.remove(t);
            }
        }
        return false;
    }

    /**
     * Whether {@code queue} is one of the JDK's FIFO queues, which never look at their elements, so that a
     * {@link ContextTask} can stand in the application's task there: not a {@code PriorityBlockingQueue} (its tasks
     * are compared), a {@code DelayQueue}, or a queue class of the application's.
     */
    public static boolean fifoQueue(Object queue) {
        if (queue == null) {
            return false;
        }
        Class<?> type = queue.getClass();
        return type == java.util.concurrent.LinkedBlockingQueue.class
                || type == java.util.concurrent.SynchronousQueue.class
                || type == java.util.concurrent.ArrayBlockingQueue.class
                || type == java.util.concurrent.LinkedBlockingDeque.class
                || type == java.util.concurrent.LinkedTransferQueue.class;
    }

    /**
     * A pool's worker thread is about to run {@code task} (taken from its queue, or its first task): ends the
     * binding made for the worker's previous task, if any, and when {@code task} is a {@link ContextTask} binds its
     * context until {@link #endWorkerTask} (or the next call) and returns the application's own task, which the
     * pool then passes to its {@code beforeExecute}, runs, and passes to {@code afterExecute}. Never throws.
     */
    public static Object beginWorkerTask(Object task) {
        if (!(task instanceof ContextTask)) {
            return task;
        }
        endWorkerTask();
        ContextTask wrapped = (ContextTask) task;
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(wrapped.context, previous, wrapped.task);
        WORKER.set(new Binding(previous, mdc));
        return wrapped.task;
    }

    /** Ends the binding {@link #beginWorkerTask} made on this thread, if any. Never throws. */
    public static void endWorkerTask() {
        Binding binding = WORKER.get();
        if (binding != null) {
            WORKER.remove();
            exit(binding.previous, binding.mdc);
        }
    }

    /** The context this task runs with. */
    public String context() {
        return context;
    }

    /** The application's object this wraps. */
    public Object task() {
        return task;
    }

    @Override
    public void run() {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            ((Runnable) task).run();
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    public Object call() throws Exception {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            return ((Callable<?>) task).call();
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    public Object get() {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            return ((Supplier<?>) task).get();
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object apply(Object value) {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            return ((Function<Object, ?>) task).apply(value);
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object value) {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            ((Consumer<Object>) task).accept(value);
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object first, Object second) {
        Object previous = Context.raw();
        Mdc.Saved mdc = enter(context, previous, task);
        try {
            ((BiConsumer<Object, Object>) task).accept(first, second);
        } finally {
            exit(previous, mdc);
        }
    }

    @Override
    public String toString() {
        return String.valueOf(task);
    }

    /** A {@link BiFunction} carrying a context (not a {@link ContextTask}: the two {@code andThen} clash). */
    static final class Bi implements BiFunction<Object, Object, Object> {
        private final String context;
        private final Object task;

        Bi(String context, Object task) {
            this.context = context;
            this.task = task;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object apply(Object first, Object second) {
            Object previous = Context.raw();
            Mdc.Saved mdc = enter(context, previous, task);
            try {
                return ((BiFunction<Object, Object, ?>) task).apply(first, second);
            } finally {
                exit(previous, mdc);
            }
        }

        @Override
        public String toString() {
            return String.valueOf(task);
        }
    }

    /**
     * Binds {@code context} on this thread, which has {@code previous}, for {@code task}, and puts it into the MDC
     * visible from the task's class loader and the thread's context class loader (unless
     * {@code albtrace.mdc.enabled=false}); returns what the MDC had, for {@link #exit}. Nothing is bound, nor put,
     * when the thread has that very context already (the task runs where it was handed over, or a second capture of
     * one hand-over): nothing is bound twice. Allocates nothing unless the application has an MDC. Never throws.
     */
    static Mdc.Saved enter(String context, Object previous, Object task) {
        if (Context.valueOf(previous) == context) {
            return null;
        }
        Context.set(context);
        try {
            if (Config.current().mdcEnabled()) {
                return Mdc.put(context, task.getClass().getClassLoader(),
                        Thread.currentThread().getContextClassLoader());
            }
        } catch (Throwable e) {
            Log.adviceFailed(e, "executors");
        }
        return null;
    }

    /** Restores the MDC and the context {@link #enter} found. Never throws. */
    static void exit(Object previous, Mdc.Saved mdc) {
        Mdc.restore(mdc);
        Context.restore(previous);
    }

    /** What a pool's worker bound for its current task ({@link #beginWorkerTask}). */
    private static final class Binding {
        private final Object previous;
        private final Mdc.Saved mdc;

        Binding(Object previous, Mdc.Saved mdc) {
            this.previous = previous;
            this.mdc = mdc;
        }
    }
}

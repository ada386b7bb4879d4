package io.albtrace.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context captured for an object of the JDK's that the agent cannot give a field (a class loaded before premain
 * is changed by retransformation, which adds no field): a {@link Thread} started from a thread that serves a request,
 * and a {@code ForkJoinTask} forked or submitted there. Each is kept in a small side table, by the object's
 * identity, with weak keys: the entry is removed when the thread starts running (or, should its {@code run()} not
 * call {@code Thread.run()}, when it ends) or the task runs (which bind the context for exactly that run), and an
 * entry whose task never ran is dropped once the task is collected (on the next capture). Nothing is captured, nor allocated, where no context is bound; where the table is
 * empty, a thread's start-up or a task's run costs one read of it.
 *
 * <p>Called from advice inlined into {@code java.lang.Thread} and {@code java.util.concurrent.ForkJoinTask}: it never
 * throws, logs nothing, starts no thread and loads nothing but the JDK's own classes.
 */
public final class CapturedContexts {

    private static final Table THREADS = new Table();
    private static final Table TASKS = new Table();
    /** Set on a thread while a thread pool creates its worker (the worker must not keep the request's context). */
    private static final ThreadLocal<Boolean> CREATING_WORKER = new ThreadLocal<>();
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private CapturedContexts() {
    }

    /**
     * {@code Thread.start()}: captures the starting thread's context for {@code thread}, unless none is bound, a
     * pool is creating its worker ({@link #beginPoolWorker}), or {@code thread} is one of the JDK's own kinds (a
     * {@code ForkJoinWorkerThread}, an {@code InnocuousThread}, a virtual thread, the HTTP client's selector
     * manager: any subclass of {@code Thread} the JDK defines), all of which live on after the request.
     */
    public static void captureThread(Thread thread) {
        try {
            String context = Context.current();
            if (context == null || thread == null || CREATING_WORKER.get() != null) {
                return;
            }
            Class<?> type = thread.getClass();
            if (type != Thread.class) {
                ClassLoader loader = type.getClassLoader();
                if (loader == null || loader == PLATFORM || thread instanceof java.util.concurrent.ForkJoinWorkerThread) {
                    return;
                }
            }
            if (thread.getState() != Thread.State.NEW) {
                return;
            }
            THREADS.put(thread, context);
        } catch (Throwable e) {
            // nothing: a thread's start must go ahead as if the agent were absent
        }
    }

    /**
     * {@code Thread.run()} entered: when {@code thread} is the running thread and a context was captured for it,
     * removes the entry and binds the context (and the MDC); returns what {@link #end} restores, or null.
     */
    public static Object beginThread(Thread thread) {
        if (THREADS.isEmpty() || thread != Thread.currentThread()) {
            return null;
        }
        return begin(THREADS, thread);
    }

    /**
     * {@code Thread.exit()}, on a thread that ends: drops what was captured for it and never taken (a subclass whose
     * {@code run()} does not call {@code super.run()}), so nothing is held once the thread is gone.
     */
    public static void threadExited(Thread thread) {
        if (!THREADS.isEmpty()) {
            try {
                THREADS.remove(thread);
            } catch (Throwable e) {
                // nothing
            }
        }
    }

    /**
     * {@code ForkJoinTask.fork()}, or the task given to a {@code ForkJoinPool}'s {@code execute}, {@code submit},
     * {@code invoke}: captures this thread's context for {@code task} unless none is bound, the task has a capture
     * already, or it is one of the JDK's own that carries the context itself (the adapters of a {@code Runnable} or
     * {@code Callable}, {@code CompletableFuture}'s tasks).
     */
    public static void captureTask(Object task) {
        try {
            String context = Context.current();
            if (context == null || task == null) {
                return;
            }
            String name = task.getClass().getName();
            if (name.startsWith("java.util.concurrent.")
                    && (name.startsWith("java.util.concurrent.ForkJoinTask$")
                    || name.startsWith("java.util.concurrent.CompletableFuture$")
                    || name.startsWith("java.util.concurrent.ForkJoinPool$"))) {
                return;
            }
            TASKS.putIfAbsent(task, context);
        } catch (Throwable e) {
            // nothing: the task goes ahead without the context
        }
    }

    /**
     * A {@code ForkJoinTask} is about to run (on a pool's worker, or on a thread that helps while it joins): binds
     * the context captured for it, if any, removing the entry; returns what {@link #end} restores, or null.
     */
    public static Object beginTask(Object task) {
        if (TASKS.isEmpty()) {
            return null;
        }
        return begin(TASKS, task);
    }

    private static Object begin(Table table, Object key) {
        try {
            String context = table.remove(key);
            if (context == null) {
                return null;
            }
            String previous = Context.current();
            Mdc.Saved mdc = ContextTask.enter(context, previous, key);
            return new Binding(previous, mdc);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Restores what {@link #beginThread} or {@link #beginTask} found. Never throws. */
    public static void end(Object binding) {
        if (binding instanceof Binding) {
            try {
                Binding b = (Binding) binding;
                ContextTask.exit(b.previous, b.mdc);
            } catch (Throwable e) {
                // nothing
            }
        }
    }

    /**
     * A thread pool ({@code ThreadPoolExecutor.addWorker}) is about to create and start a worker thread: until
     * {@link #endPoolWorker}, threads started here capture nothing. True when this call set the flag.
     */
    public static boolean beginPoolWorker() {
        if (Context.current() == null || CREATING_WORKER.get() != null) {
            return false;
        }
        CREATING_WORKER.set(Boolean.TRUE);
        return true;
    }

    /** Ends what {@link #beginPoolWorker} began, when it set the flag. */
    public static void endPoolWorker(boolean set) {
        if (set) {
            CREATING_WORKER.remove();
        }
    }

    /** How many threads have a capture that they have not started running with (for tests). */
    public static int threadEntries() {
        THREADS.expunge();
        return THREADS.size();
    }

    /** How many fork/join tasks have a capture that they have not run with (for tests). */
    public static int taskEntries() {
        TASKS.expunge();
        return TASKS.size();
    }

    /** What a begin found, for its end. */
    private static final class Binding {
        final String previous;
        final Mdc.Saved mdc;

        Binding(String previous, Mdc.Saved mdc) {
            this.previous = previous;
            this.mdc = mdc;
        }
    }

    /** A concurrent map from objects, by identity and weakly held, to their captured context. */
    private static final class Table {
        private final ConcurrentHashMap<Object, String> map = new ConcurrentHashMap<>();
        private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

        boolean isEmpty() {
            return map.isEmpty();
        }

        int size() {
            return map.size();
        }

        void put(Object key, String context) {
            expunge();
            map.put(new WeakKey(key, collected), context);
        }

        void putIfAbsent(Object key, String context) {
            expunge();
            map.putIfAbsent(new WeakKey(key, collected), context);
        }

        String remove(Object key) {
            return map.remove(new Lookup(key));
        }

        void expunge() {
            Object stale;
            while ((stale = collected.poll()) != null) {
                map.remove(stale);
            }
        }
    }

    /** A key of the table: the object, weakly, compared by identity. */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            Object referent = get();
            if (referent == null) {
                return false;
            }
            if (other instanceof WeakKey) {
                return ((WeakKey) other).get() == referent;
            }
            return other instanceof Lookup && ((Lookup) other).referent == referent;
        }
    }

    /** The key a lookup uses (strong, short-lived). */
    private static final class Lookup {
        final Object referent;
        private final int hash;

        Lookup(Object referent) {
            this.referent = referent;
            hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other == this || other instanceof WeakKey && ((WeakKey) other).get() == referent;
        }
    }
}

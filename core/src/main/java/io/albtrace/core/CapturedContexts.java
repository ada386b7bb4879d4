package io.albtrace.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

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

    private static final Table<Capture> THREADS = new Table<>();
    private static final Table<String> TASKS = new Table<>();
    private static final Table<String> PROMISES = new Table<>();
    private static final Table<OutgoingCall> KEPT = new Table<>();
    /** A promise whose listeners were added in different contexts (or some in none): they run with none. */
    private static final String MIXED = new String("(mixed)");
    private static final java.util.function.BiFunction<String, String, String> MERGE = new Merge();
    private static final StackWalker STARTERS = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    /** Set on a thread while a thread pool creates its worker (the worker must not keep the request's context). */
    private static final ThreadLocal<Boolean> CREATING_WORKER = new ThreadLocal<>();
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private CapturedContexts() {
    }

    /**
     * {@code Thread.start()}: captures the starting thread's context for {@code thread} (SPEC 5.4), for as long as
     * SPEC 5.5 allows:
     * <ul>
     *   <li>a thread a thread-per-task executor starts for one task (the JDK's {@code ThreadPerTaskExecutor} of
     *       platform threads, Spring's {@code SimpleAsyncTaskExecutor}) has it for its whole {@code run()}: that
     *       run is the task;</li>
     *   <li>any other thread the application starts ({@code new Thread(r).start()}, {@code Thread.ofPlatform()})
     *       has it only while the binding it was started from is open: the request's handler, or the task that
     *       started it. A thread that outlives it (a poller, a connection's reader started lazily in the first
     *       request) loses it then, and calls out afterwards with no context (a new Root);</li>
     *   <li>no context at all for threads that serve many requests: a pool's or a thread factory's (started by an
     *       {@code Executor} or a {@code ThreadFactory}, or while a {@code ThreadPoolExecutor} adds a worker), a
     *       component's own (started from a constructor or a class initialiser),
     *       event loops (Netty's {@code FastThreadLocalThread}, so Reactor Netty's, Vert.x's, gRPC's), and the JDK's
     *       own kinds of thread ({@code ForkJoinWorkerThread}, {@code InnocuousThread}, a {@code Timer}'s thread,
     *       the HTTP client's selector manager, virtual threads: any subclass of {@code Thread} the JDK defines).</li>
     * </ul>
     * Who starts the thread is read from the few frames that call {@code start()}, only when a context is bound.
     */
    public static void captureThread(Thread thread) {
        try {
            if (thread == null || CREATING_WORKER.get() != null) {
                return;
            }
            String context = Context.current();
            if (context == null) {
                return;
            }
            Class<?> type = thread.getClass();
            if (type != Thread.class) {
                ClassLoader loader = type.getClassLoader();
                if (loader == null || loader == PLATFORM || thread instanceof java.util.concurrent.ForkJoinWorkerThread
                        || eventLoopThread(type)) {
                    return;
                }
            }
            if (thread.getState() != Thread.State.NEW) {
                return;
            }
            Starter starter = STARTERS.walk(Starter.FIND);
            if (starter == Starter.POOL) {
                return;
            }
            THREADS.put(thread, new Capture(context, starter == Starter.PER_TASK ? null : Context.leaseForChildren()));
        } catch (Throwable e) {
            // nothing: a thread's start must go ahead as if the agent were absent
        }
    }

    /** A thread class of an event-loop library, which serves every connection of its loop. */
    private static boolean eventLoopThread(Class<?> type) {
        for (Class<?> c = type; c != null && c != Thread.class; c = c.getSuperclass()) {
            if (c.getName().equals("io.netty.util.concurrent.FastThreadLocalThread")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code Thread.run()} entered: when {@code thread} is the running thread and a context was captured for it,
     * removes the entry and binds the context (and the MDC); returns what {@link #end} restores, or null.
     */
    public static Object beginThread(Thread thread) {
        if (THREADS.isEmpty() || thread != Thread.currentThread()) {
            return null;
        }
        try {
            Capture capture = THREADS.remove(thread);
            if (capture == null) {
                return null;
            }
            if (capture.lease == null) {
                return bind(capture.context, thread);
            }
            if (!capture.lease.holds()) {
                return null; // what started it ended before it ran
            }
            Context.Leased leased = Context.bindLeased(capture.context, capture.lease);
            if (Config.current().mdcEnabled()) {
                leased.mdc = Mdc.put(capture.context, null, thread.getContextClassLoader());
            }
            return leased;
        } catch (Throwable e) {
            return null;
        }
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
        try {
            String context = TASKS.remove(task);
            return context == null ? null : bind(context, task);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * A listener is added to {@code promise} (Netty's {@code DefaultPromise}), to run when it completes, maybe on
     * another thread: the promise's listeners run with the context bound here ({@link #beginListeners}). Where its
     * listeners are added in different contexts, or some where none is bound, they run with none: a wrong Root is
     * worse than a new one (SPEC 5.5). Nothing is captured, nor allocated, where no context is bound and the promise
     * has none.
     */
    public static void captureListener(Object promise) {
        try {
            if (promise == null) {
                return;
            }
            String context = Context.current();
            if (context == null) {
                if (!PROMISES.isEmpty()) {
                    PROMISES.replaceIfPresent(promise, MIXED);
                }
                return;
            }
            PROMISES.merge(promise, context, MERGE);
        } catch (Throwable e) {
            // nothing: the listener runs without the context
        }
    }

    /**
     * {@code promise}'s listeners are about to run: binds the context they were added in, if they all were added in
     * one, removing the entry; else (added where none was bound, or in different contexts) binds none, whatever the
     * code that completes the promise has bound (another request's, when a promise completes inside its turn on an
     * event loop); returns what {@link #end} restores, or null when the thread has nothing to change.
     */
    public static Object beginListeners(Object promise) {
        try {
            String context = PROMISES.isEmpty() ? null : PROMISES.remove(promise);
            if (context != null && context != MIXED) {
                return Context.current() == context ? null : bind(context, promise);
            }
            Object previous = Context.raw();
            if (previous == null) {
                return null;
            }
            Context.set(null);
            return new Binding(previous, null);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Keeps this thread's context, or that there is none, for {@code owner} (a client's request made here, which is
     * written later on another thread, maybe several times: Reactor Netty's request handler, made where its
     * {@code Mono} is subscribed, and sent again for a redirect or a retry), as one {@link OutgoingCall}, for as long
     * as {@code owner} lives; {@link #bindKept} binds it. Never throws.
     */
    public static void keep(Object owner) {
        try {
            if (owner != null) {
                KEPT.put(owner, OutgoingCall.capture());
            }
        } catch (Throwable e) {
            // nothing: the request is written with whatever is bound then
        }
    }

    /**
     * Binds what {@link #keep} kept for {@code owner}: its context, or none (whatever this thread has bound, another
     * request's, is not the request's), and its call as the {@linkplain OutgoingCall#current() current call}, so that
     * every send of the request (the first, a redirect, a retry) carries the one value (SPEC 3); returns what
     * {@link #end} restores, or null when nothing was kept.
     */
    public static Object bindKept(Object owner) {
        if (KEPT.isEmpty()) {
            return null;
        }
        try {
            OutgoingCall call = KEPT.get(owner);
            if (call == null) {
                return null;
            }
            String context = call.context();
            Object previous = Context.raw();
            Mdc.Saved mdc = null;
            if (context != null) {
                mdc = ContextTask.enter(context, previous, owner);
            } else if (previous != null) {
                Context.set(null);
            }
            OutgoingCall previousCall = OutgoingCall.enter(call);
            // on an event loop nothing is bound between two requests' turns: one shared binding, nothing allocated
            return previous == null && mdc == null && previousCall == null ? Binding.KEPT_FROM_NONE
                    : new Binding(previous, mdc, true, previousCall);
        } catch (Throwable e) {
            return null;
        }
    }

    /** How many promises have a capture their listeners have not run with (for tests). */
    public static int promiseEntries() {
        PROMISES.expunge();
        return PROMISES.size();
    }

    /** Two contexts of one promise's listeners: the one, or {@link #MIXED} when they differ. */
    private static final class Merge implements java.util.function.BiFunction<String, String, String> {
        @Override
        public String apply(String a, String b) {
            return a.equals(b) ? a : MIXED;
        }
    }

    /**
     * Binds {@code context} (with the log MDC, as a task carried to a pool is) for a callback of a library's own
     * object that captured it (a Reactor subscriber's signal), until {@link #end}; {@code key} is the object whose
     * class loader the MDC is looked up from. Returns null, binding nothing and allocating nothing, when
     * {@code context} is null or this thread has that very context already. Never throws.
     */
    public static Object begin(String context, Object key) {
        try {
            if (context == null || Context.current() == context) {
                return null;
            }
            return bind(context, key);
        } catch (Throwable e) {
            return null;
        }
    }

    private static Binding bind(String context, Object key) {
        Object previous = Context.raw();
        Mdc.Saved mdc = ContextTask.enter(context, previous, key);
        // bound where none was, and no MDC touched (an event loop, where most binds happen): one shared binding
        return previous == null && mdc == null ? Binding.FROM_NONE : new Binding(previous, mdc);
    }

    /** Restores what {@link #beginThread} or {@link #beginTask} found. Never throws. */
    public static void end(Object binding) {
        try {
            if (binding instanceof Binding) {
                Binding b = (Binding) binding;
                ContextTask.exit(b.previous, b.mdc);
                if (b.call) {
                    OutgoingCall.restore(b.previousCall);
                }
            } else if (binding instanceof Context.Leased) {
                Context.endLeased((Context.Leased) binding);
            }
        } catch (Throwable e) {
            // nothing
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
        /** The end of a binding made where nothing was bound and no MDC was changed: it unbinds. */
        static final Binding FROM_NONE = new Binding(null, null);
        /** The same for {@link #bindKept} where no call was current either: it unbinds, and ends the call. */
        static final Binding KEPT_FROM_NONE = new Binding(null, null, true, null);

        final Object previous;
        final Mdc.Saved mdc;
        /** Whether the binding made a call current ({@link #bindKept}): {@link #previousCall} is current again. */
        final boolean call;
        final OutgoingCall previousCall;

        Binding(Object previous, Mdc.Saved mdc) {
            this(previous, mdc, false, null);
        }

        Binding(Object previous, Mdc.Saved mdc, boolean call, OutgoingCall previousCall) {
            this.previous = previous;
            this.mdc = mdc;
            this.call = call;
            this.previousCall = previousCall;
        }
    }

    /** What a thread's start captured for it: the context, and the binding it lasts for (null: its whole run). */
    private static final class Capture {
        final String context;
        final Context.Bound lease;

        Capture(String context, Context.Bound lease) {
            this.context = context;
            this.lease = lease;
        }
    }

    /**
     * Who calls {@code Thread.start()}, read from the first frames above {@code java.lang.Thread}'s own: a pool or a
     * thread factory (an {@code Executor} or {@code ThreadFactory}, whose threads serve many requests) or a
     * constructor or class initialiser (an object starting the thread it owns for its life: a client's connection
     * reader, a producer's sender), all {@link #POOL}; a thread-per-task executor (whose thread runs one task); or
     * the application (anything else).
     */
    enum Starter {
        POOL, PER_TASK, APPLICATION;

        /** How many frames above {@code Thread}'s own are read. */
        private static final int FRAMES = 4;
        static final Function<Stream<StackWalker.StackFrame>, Starter> FIND = new Find();

        private static Starter of(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                String name = c.getName();
                if (name.equals("java.util.concurrent.ThreadPerTaskExecutor")
                        || name.equals("org.springframework.core.task.SimpleAsyncTaskExecutor")) {
                    return PER_TASK;
                }
            }
            if (java.util.concurrent.Executor.class.isAssignableFrom(type)
                    || java.util.concurrent.ThreadFactory.class.isAssignableFrom(type)) {
                return POOL;
            }
            return null;
        }

        /** Reads the frames (a class of its own rather than a lambda: nothing more is spun up in the boot loader). */
        private static final class Find implements Function<Stream<StackWalker.StackFrame>, Starter> {
            @Override
            public Starter apply(Stream<StackWalker.StackFrame> frames) {
                int read = 0;
                for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext() && read < FRAMES; ) {
                    StackWalker.StackFrame frame = it.next();
                    Class<?> type = frame.getDeclaringClass();
                    if (type == Thread.class || type == CapturedContexts.class) {
                        continue;
                    }
                    read++;
                    String method = frame.getMethodName();
                    if (method.equals("<init>") || method.equals("<clinit>")) {
                        return POOL; // a component starting the thread it owns: a client's reader, a sender
                    }
                    Starter starter = of(type);
                    if (starter != null) {
                        return starter;
                    }
                }
                return APPLICATION;
            }
        }
    }


    /** A concurrent map from objects, by identity and weakly held, to their captured context. */
    private static final class Table<V> {
        private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
        private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

        boolean isEmpty() {
            return map.isEmpty();
        }

        int size() {
            return map.size();
        }

        void put(Object key, V context) {
            expunge();
            map.put(new WeakKey(key, collected), context);
        }

        void putIfAbsent(Object key, V context) {
            expunge();
            map.putIfAbsent(new WeakKey(key, collected), context);
        }

        void merge(Object key, V value, java.util.function.BiFunction<V, V, V> merge) {
            expunge();
            map.merge(new WeakKey(key, collected), value, merge);
        }

        void replaceIfPresent(Object key, V value) {
            Lookup lookup = Lookup.of(key);
            try {
                map.replace(lookup, value);
            } finally {
                lookup.clear();
            }
        }

        V get(Object key) {
            Lookup lookup = Lookup.of(key);
            try {
                return map.get(lookup);
            } finally {
                lookup.clear();
            }
        }

        V remove(Object key) {
            Lookup lookup = Lookup.of(key);
            try {
                return map.remove(lookup);
            } finally {
                lookup.clear();
            }
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

    /**
     * The key a lookup uses: strong, one per thread, reused (a request on an event loop looks its objects up a dozen
     * times or more), cleared after each lookup so that it keeps nothing alive. The map calls nothing but its
     * {@code hashCode} and {@code equals} during a lookup, so one lookup never meets another on its thread.
     */
    private static final class Lookup {
        private static final ThreadLocal<Lookup> MINE = new ThreadLocal<>();

        Object referent;
        private int hash;

        static Lookup of(Object referent) {
            Lookup lookup = MINE.get();
            if (lookup == null || lookup.referent != null) {
                lookup = new Lookup();
                if (MINE.get() == null) {
                    MINE.set(lookup);
                }
            }
            lookup.referent = referent;
            lookup.hash = System.identityHashCode(referent);
            return lookup;
        }

        void clear() {
            referent = null;
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

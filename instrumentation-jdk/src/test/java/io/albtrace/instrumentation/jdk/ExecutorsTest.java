package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.CapturedContexts;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * The request's context across threads (SPEC 5): a real front service (the JDK's {@code HttpServer}, whose entry
 * point binds the context) whose handler hands the outgoing call (a real {@code HttpURLConnection} request to a
 * back service that records the exact header) to another thread through each mechanism of the JDK. Runs on
 * JDK 17 and on Temurin 25 (virtual threads there).
 */
@ExtendWith(InstalledAgent.class)
class ExecutorsTest {

    static final String INCOMING = "Root=" + Trace.ROOT + ";CalledFrom=lb";
    static final int TIMEOUT = 20;

    /** Runs {@code call} on another thread through one mechanism and waits for it (its failure rethrown). */
    interface Mechanism {
        void run(Callable<Integer> call) throws Exception;
    }

    RecordingServer back;
    Front front;
    ThreadPoolExecutor pool;
    ScheduledThreadPoolExecutor scheduled;
    ForkJoinPool forkJoin;
    final Map<String, Mechanism> mechanisms = new LinkedHashMap<>();

    @BeforeEach
    void start() throws IOException {
        back = new RecordingServer();
        front = new Front(Executors.newFixedThreadPool(4), null);
        pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        scheduled = new ScheduledThreadPoolExecutor(1);
        forkJoin = new ForkJoinPool(2);
        mechanisms.put("tpe-execute", call -> waitFor(done -> pool.execute(() -> done.accept(call))));
        mechanisms.put("tpe-submit-runnable", call -> pool.submit(() -> get(call)).get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("tpe-submit-callable", call -> pool.submit(call).get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("tpe-invokeAll", call -> {
            for (Future<Integer> f : pool.invokeAll(Arrays.asList(call, call))) {
                f.get(TIMEOUT, TimeUnit.SECONDS);
            }
        });
        mechanisms.put("tpe-invokeAny", call -> pool.invokeAny(Arrays.asList(call)));
        mechanisms.put("cached-execute", call -> {
            ExecutorService cached = Executors.newCachedThreadPool();
            try {
                waitFor(done -> cached.execute(() -> done.accept(call)));
            } finally {
                cached.shutdown();
            }
        });
        mechanisms.put("stpe-execute", call -> waitFor(done -> scheduled.execute(() -> done.accept(call))));
        mechanisms.put("stpe-schedule", call -> scheduled.schedule(call, 1, TimeUnit.MILLISECONDS)
                .get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("stpe-periodic", call -> {
            CountDownLatch twice = new CountDownLatch(2);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            ScheduledFuture<?> f = scheduled.scheduleAtFixedRate(() -> {
                if (twice.getCount() > 0) {
                    try {
                        call.call();
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                    twice.countDown();
                }
            }, 0, 5, TimeUnit.MILLISECONDS);
            assertTrue(twice.await(TIMEOUT, TimeUnit.SECONDS));
            f.cancel(false);
            rethrow(failed.get());
        });
        mechanisms.put("fjp-execute", call -> waitFor(done -> forkJoin.execute(() -> done.accept(call))));
        mechanisms.put("fjp-submit", call -> forkJoin.submit(call).get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("fjp-invokeAll", call -> {
            for (Future<Integer> f : forkJoin.invokeAll(Arrays.asList(call))) {
                f.get(TIMEOUT, TimeUnit.SECONDS);
            }
        });
        mechanisms.put("cf-supplyAsync", call -> CompletableFuture.supplyAsync(() -> get(call))
                .get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("cf-runAsync-executor", call -> CompletableFuture.runAsync(() -> get(call), pool)
                .get(TIMEOUT, TimeUnit.SECONDS));
        // the stage made in the handler, completed later by another thread that has no context
        mechanisms.put("cf-thenApplyAsync", call -> {
            CompletableFuture<Integer> first = new CompletableFuture<>();
            CompletableFuture<Integer> second = first.thenApplyAsync(x -> get(call));
            new Thread(() -> first.complete(1)).start();
            second.get(TIMEOUT, TimeUnit.SECONDS);
        });
        mechanisms.put("cf-thenCombineAsync", call -> CompletableFuture.completedFuture(1)
                .thenCombineAsync(CompletableFuture.completedFuture(2), (a, b) -> get(call), pool)
                .get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("cf-handleAsync", call -> CompletableFuture.completedFuture(1)
                .handleAsync((a, e) -> get(call)).get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("cf-whenCompleteAsync", call -> CompletableFuture.completedFuture(1)
                .whenCompleteAsync((a, e) -> get(call), forkJoin).get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("cf-thenAcceptBothAsync", call -> CompletableFuture.completedFuture(1)
                .thenAcceptBothAsync(CompletableFuture.completedFuture(2), (a, b) -> get(call))
                .get(TIMEOUT, TimeUnit.SECONDS));
        mechanisms.put("thread-start", call -> waitFor(done -> new Thread(() -> done.accept(call)).start()));
        mechanisms.put("thread-subclass", call -> waitFor(done -> new CallingSuper(() -> done.accept(call)).start()));
        // several calls, on the caller and on the common pool's workers (a parallel stream's tasks are forked)
        mechanisms.put("parallel-stream", call -> IntStream.range(0, 8).boxed().collect(Collectors.toList())
                .parallelStream().forEach(i -> get(call)));
        mechanisms.put("recursive-task-pool", call -> forkJoin.invoke(new Calls(4, call)));
        mechanisms.put("recursive-task-fork", call -> new Calls(2, call).fork().join());
        if (Runtime.version().feature() >= 21) {
            mechanisms.put("thread-ofPlatform", call -> waitFor(done -> VirtualThreads.startPlatform(
                    () -> done.accept(call))));
            mechanisms.put("virtual-thread", call -> {
                Thread t = VirtualThreads.start(() -> get(call));
                t.join(TIMEOUT * 1000L);
                assertFalse(t.isAlive());
            });
            mechanisms.put("virtual-executor", call -> {
                ExecutorService each = VirtualThreads.perTaskExecutor();
                try {
                    each.submit(call).get(TIMEOUT, TimeUnit.SECONDS);
                    waitFor(done -> each.execute(() -> done.accept(call)));
                } finally {
                    each.shutdown();
                }
            });
        }
        front.handle("/front/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/front/".length());
            String context = Context.current();
            try {
                mechanisms.get(name).run(() -> Front.connectionGet(back.url("/back/" + name)));
            } catch (Exception e) {
                Front.respond(exchange, 500, String.valueOf(e));
                return;
            }
            Front.respond(exchange, 200, String.valueOf(context));
        });
    }

    @AfterEach
    void stop() throws Exception {
        front.close();
        back.close();
        pool.shutdownNow();
        scheduled.shutdownNow();
        forkJoin.shutdownNow();
    }

    @Test
    void everyMechanismForwardsTheRequestsRootWithANewSelfEachTime() throws Exception {
        Set<String> selves = new HashSet<>();
        for (String name : mechanisms.keySet()) {
            Front.Called r = front.call("/front/" + name, INCOMING);
            assertEquals(200, r.code, name + ": " + r.body);
            assertEquals(INCOMING, r.body);
            List<String> headers = headersOf("/back/" + name);
            assertFalse(headers.isEmpty(), name);
            for (String header : headers) {
                assertTrue(selves.add(Trace.self(header, INCOMING)), name + ": a Self used twice");
            }
        }
        assertNoContextLeftOnThePools();
    }

    @Test
    void aPoolThatServedARequestsTasksRunsTheNextTaskWithoutItsContext() throws Exception {
        for (String name : mechanisms.keySet()) {
            Front.Called r = front.call("/front/" + name, INCOMING);
            assertEquals(200, r.code, name + ": " + r.body);
            // the same mechanism, from a thread with no context: a new Root, nothing of the request's
            mechanisms.get(name).run(() -> Front.connectionGet(back.url("/unbound/" + name)));
            for (String header : headersOf("/unbound/" + name)) {
                Trace.assertForwarded("Root={NEW}", INCOMING, header);
            }
        }
        assertNoContextLeftOnThePools();
    }

    /** 32 client threads, each request with its own Root; every outgoing call carries its own request's Root. */
    @Test
    void manyRequestsAtOnceEachForwardsItsOwnRoot() throws Exception {
        int clients = 32;
        int perClient = Integer.getInteger("albtrace.test.executors.requests", 64);
        ExecutorService shared = Executors.newFixedThreadPool(8);
        Front busy = new Front(Executors.newFixedThreadPool(clients), null);
        AtomicInteger n = new AtomicInteger();
        busy.handle("/busy/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/busy/".length());
            Callable<Integer> call = () -> Front.connectionGet(back.url("/root/" + id));
            try {
                switch (n.getAndIncrement() % 7) {
                    case 0: shared.submit(call).get(TIMEOUT, TimeUnit.SECONDS); break;
                    case 1: waitFor(done -> shared.execute(() -> done.accept(call))); break;
                    case 2: CompletableFuture.supplyAsync(() -> get(call)).get(TIMEOUT, TimeUnit.SECONDS); break;
                    case 3: waitFor(done -> new Thread(() -> done.accept(call)).start()); break;
                    case 4: new Calls(1, call).fork().join(); break;
                    // a parallel stream of one element: one call, on this thread or a common pool worker
                    case 5: IntStream.range(0, 2).parallel().filter(x -> x == 1).forEach(x -> get(call)); break;
                    default: forkJoin.submit(call).get(TIMEOUT, TimeUnit.SECONDS); break;
                }
            } catch (Exception e) {
                Front.respond(exchange, 500, String.valueOf(e));
                return;
            }
            Front.respond(exchange, 200, "ok");
        });
        ExecutorService callers = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                all.add(callers.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        String root = String.format("1-%08x-%024x", client, i);
                        Front.Called r = busy.call("/busy/" + root, "Root=" + root);
                        assertEquals(200, r.code, r.body);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(300, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
            busy.close();
            shared.shutdownNow();
        }
        int checked = 0;
        for (RecordingServer.Received r : back.received()) {
            if (r.path.startsWith("/root/")) {
                String root = r.path.substring("/root/".length());
                Trace.assertForwarded("Self={NEW};Root=" + root, "Root=" + root, r.traceHeader());
                checked++;
            }
        }
        assertEquals(clients * perClient, checked);
    }

    /**
     * A parallel stream of many elements, each making an outgoing call: every call carries the request's Root with a
     * Self of its own, those made on the common pool's workers included (and some are).
     */
    @Test
    void aParallelStreamsCallsFromTheCommonPoolCarryTheRequestsRoot() throws Exception {
        int elements = 64;
        Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        front.handle("/stream/", exchange -> {
            try {
                IntStream.range(0, elements).boxed().collect(Collectors.toList()).parallelStream().forEach(i -> {
                    if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread) {
                        threads.add(Thread.currentThread().getName());
                    }
                    get(() -> Front.connectionGet(back.url("/stream-back/" + i)));
                });
            } catch (RuntimeException e) {
                Front.respond(exchange, 500, String.valueOf(e));
                return;
            }
            Front.respond(exchange, 200, "ok");
        });
        Front.Called r = front.call("/stream/", INCOMING);
        assertEquals(200, r.code, r.body);
        Set<String> selves = new HashSet<>();
        int calls = 0;
        for (RecordingServer.Received received : back.received()) {
            if (received.path.startsWith("/stream-back/")) {
                calls++;
                assertTrue(selves.add(Trace.self(received.traceHeader(), INCOMING)), "a Self used twice");
            }
        }
        assertEquals(elements, calls);
        assertFalse(threads.isEmpty(), "no call was made on a common pool worker");
        assertEquals(0, CapturedContexts.taskEntries(), "every forked task took its capture");
    }

    /**
     * A pool created inside a request creates its worker thread from the request's thread: the worker does not keep
     * the request's context, and a task handed to it later from a thread with no context gets a new Root.
     */
    @Test
    void aPoolCreatedInsideARequestKeepsNothingOfIt() throws Exception {
        AtomicReference<ExecutorService> lazy = new AtomicReference<>();
        AtomicReference<ForkJoinPool> lazyForkJoin = new AtomicReference<>();
        front.handle("/lazy/", exchange -> {
            try {
                lazy.set(Executors.newFixedThreadPool(1));
                lazy.get().submit(() -> Front.connectionGet(back.url("/lazy-in/"))).get(TIMEOUT, TimeUnit.SECONDS);
                lazyForkJoin.set(new ForkJoinPool(1));
                lazyForkJoin.get().submit(() -> Front.connectionGet(back.url("/lazy-in/")))
                        .get(TIMEOUT, TimeUnit.SECONDS);
            } catch (Exception e) {
                Front.respond(exchange, 500, String.valueOf(e));
                return;
            }
            Front.respond(exchange, 200, "ok");
        });
        Front.Called r = front.call("/lazy/", INCOMING);
        assertEquals(200, r.code, r.body);
        try {
            waitFor(done -> lazy.get().execute(() -> done.accept(() -> {
                assertNull(Context.current(), "the pool's worker kept the request's context");
                return Front.connectionGet(back.url("/lazy-later/"));
            })));
            waitFor(done -> lazyForkJoin.get().execute(() -> done.accept(() -> {
                assertNull(Context.current(), "the fork/join pool's worker kept the request's context");
                return Front.connectionGet(back.url("/lazy-later/"));
            })));
        } finally {
            lazy.get().shutdownNow();
            lazyForkJoin.get().shutdownNow();
        }
        List<String> in = headersOf("/lazy-in/");
        assertEquals(2, in.size());
        for (String header : in) {
            Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", INCOMING, header);
        }
        List<String> later = headersOf("/lazy-later/");
        assertEquals(2, later.size());
        for (String header : later) {
            Trace.assertForwarded("Root={NEW}", INCOMING, header);
        }
    }

    /**
     * A thread started with a context takes its entry out of the side table when it starts running; one whose
     * subclass never calls {@code super.run()} (a documented gap: no context) when it ends; a forked task that
     * never ran, once it is collected. Nothing holds the context afterwards.
     */
    @Test
    void theSideTablesHoldNothingOnceThreadsAndTasksAreGone() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Thread> started = new AtomicReference<>();
        WeakReference<String> ran = bound(() -> {
            Thread t = new Thread(() -> seen.set(Context.current()));
            t.start();
            started.set(t);
            try {
                t.join(TIMEOUT * 1000L); // the thread has the context while the binding that started it is open
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        started.get().join(TIMEOUT * 1000L);
        assertTrue(seen.get() != null && seen.get().contains(";Capture="), String.valueOf(seen.get()));
        seen.set(null);
        assertEquals(0, CapturedContexts.threadEntries(), "a started thread took its entry");
        started.set(null);
        assertCollected(ran, "a finished thread's capture");

        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<Thread> own = new AtomicReference<>();
        WeakReference<String> overriding = bound(() -> {
            Thread t = new Thread() {
                @Override
                public void run() {
                    await(stop);
                }
            };
            t.start();
            own.set(t);
        });
        assertEquals(1, CapturedContexts.threadEntries(), "run() does not call super.run(): the entry stays");
        stop.countDown();
        own.get().join(TIMEOUT * 1000L);
        assertEquals(0, CapturedContexts.threadEntries(), "the thread ended");
        assertCollected(overriding, "the capture of a thread that never ran Thread.run()");
        own.set(null);

        ForkJoinPool one = new ForkJoinPool(1);
        CountDownLatch hold = new CountDownLatch(1);
        try {
            one.execute(() -> await(hold));
            AtomicReference<ForkJoinTask<?>> queued = new AtomicReference<>();
            WeakReference<String> never = bound(() -> queued.set(one.submit(new Calls(1, () -> 0))));
            assertEquals(1, CapturedContexts.taskEntries());
            assertTrue(queued.get().cancel(false));
            queued.set(null);
            one.shutdownNow();
            for (int i = 0; i < 50 && CapturedContexts.taskEntries() > 0; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertCollected(never, "the capture of a task that never ran");
            assertEquals(0, CapturedContexts.taskEntries());
        } finally {
            hold.countDown();
            one.shutdownNow();
        }
    }

    /**
     * A thread that runs a task captured with another context (here, it invokes a task queued with another
     * request's context) runs it with that context and has its own back afterwards.
     */
    @Test
    void aThreadThatRunsAnotherRequestsTaskGetsItsOwnContextBack() throws Exception {
        ForkJoinPool one = new ForkJoinPool(1);
        CountDownLatch hold = new CountDownLatch(1);
        try {
            one.execute(() -> await(hold));
            AtomicReference<String> inside = new AtomicReference<>();
            RecursiveTask<Integer> task = new RecursiveTask<Integer>() {
                @Override
                protected Integer compute() {
                    inside.set(Context.current());
                    return 0;
                }
            };
            try (Scope ignored = Context.bind("Root=" + Trace.ROOT + ";Request=other")) {
                one.execute(task);
            }
            try (Scope ignored = Context.bind(INCOMING)) {
                assertEquals(0, task.invoke());
                assertEquals(INCOMING, Context.current(), "the invoking thread's own context, back");
            }
            assertEquals("Root=" + Trace.ROOT + ";Request=other", inside.get());
            assertNull(Context.current());
        } finally {
            hold.countDown();
            one.shutdownNow();
        }
    }

    /** What a task captured (its context) is released when the task is rejected, cancelled or removed. */
    @Test
    void rejectedCancelledAndRemovedTasksReleaseTheirCapture() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        List<Runnable> rejected = new CopyOnWriteArrayList<>();
        ThreadPoolExecutor single = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1),
                (r, executor) -> {
                    rejected.add(r);
                    throw new RejectedExecutionException("full");
                });
        try {
            single.execute(() -> await(hold));
            Runnable queued = () -> { };
            Runnable refused = () -> { };
            WeakReference<String> queuedContext = bound(() -> single.execute(queued));
            WeakReference<String> refusedContext = bound(() ->
                    assertThrows(RejectedExecutionException.class, () -> single.execute(refused)));
            assertEquals(List.of(refused), rejected, "the handler sees the application's task");
            assertSame(refused, rejected.get(0));
            assertCollected(refusedContext, "a rejected task's capture");
            assertTrue(single.remove(queued), "remove finds the application's task");
            assertCollected(queuedContext, "a removed task's capture");
        } finally {
            hold.countDown();
            single.shutdownNow();
        }

        AtomicReference<ScheduledFuture<?>> later = new AtomicReference<>();
        WeakReference<String> cancelledContext = bound(() ->
                later.set(scheduled.schedule(() -> 1, 1, TimeUnit.HOURS)));
        assertTrue(later.get().cancel(false));
        assertCollected(cancelledContext, "a cancelled scheduled task's capture");
        AtomicReference<Future<?>> submitted = new AtomicReference<>();
        CountDownLatch busy = new CountDownLatch(1);
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            one.execute(() -> await(busy));
            WeakReference<String> submittedContext = bound(() -> submitted.set(one.submit(() -> 1)));
            assertTrue(submitted.get().cancel(false));
            assertCollected(submittedContext, "a cancelled submitted task's capture");
        } finally {
            busy.countDown();
            one.shutdownNow();
        }
    }

    /**
     * An application's own pool (a subclass with {@code beforeExecute}/{@code afterExecute}, its own rejection
     * handler) sees its own objects, and the task runs with the context (an executed one from {@code beforeExecute}
     * on).
     */
    @Test
    void anApplicationsOwnPoolSeesItsOwnObjects() throws Exception {
        List<Runnable> before = new CopyOnWriteArrayList<>();
        List<Runnable> after = new CopyOnWriteArrayList<>();
        List<String> contexts = new CopyOnWriteArrayList<>();
        List<Runnable> rejected = new CopyOnWriteArrayList<>();
        RejectedExecutionHandler handler = (r, executor) -> rejected.add(r);
        ThreadPoolExecutor own = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>(), handler) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                before.add(r);
                contexts.add(String.valueOf(Context.current()));
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                after.add(r);
            }
        };
        CountDownLatch ran = new CountDownLatch(2);
        CountDownLatch hold = new CountDownLatch(1);
        Runnable first = () -> {
            contexts.add(String.valueOf(Context.current()));
            await(hold);
            ran.countDown();
        };
        Runnable refused = () -> { };
        Future<?> future;
        try (Scope ignored = Context.bind(INCOMING)) {
            own.execute(first);
            own.execute(refused); // the one thread is busy and a SynchronousQueue holds nothing
            assertEquals(List.of(refused), rejected);
            assertSame(refused, rejected.get(0));
            hold.countDown();
            awaitIdle(own, 1);
            future = own.submit(() -> {
                contexts.add(String.valueOf(Context.current()));
                ran.countDown();
            });
        }
        assertTrue(ran.await(TIMEOUT, TimeUnit.SECONDS));
        awaitIdle(own, 2);
        assertSame(first, before.get(0));
        assertSame(first, after.get(0));
        assertSame(future, before.get(1), "a submitted task is the Future the application got");
        assertSame(future, after.get(1));
        // an executed task's context is bound from beforeExecute on; a submitted one's inside its FutureTask's run
        assertEquals(List.of(INCOMING, INCOMING, "null", INCOMING), contexts);

        // shutdownNow() returns the application's queued tasks
        ThreadPoolExecutor queueing = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        CountDownLatch block = new CountDownLatch(1);
        Runnable waiting = () -> { };
        try (Scope ignored = Context.bind(INCOMING)) {
            queueing.execute(() -> await(block));
            queueing.execute(waiting);
        }
        List<Runnable> left = queueing.shutdownNow();
        block.countDown();
        assertEquals(1, left.size());
        assertSame(waiting, left.get(0));
        own.shutdownNow();
    }

    /** The log MDC follows the context into a task, and is gone from the pooled thread afterwards. */
    @Test
    void theLogMdcFollowsIntoTasks() throws Exception {
        Callable<String> mdc = () -> MDC.get("amzn.trace.root") + " " + MDC.get("amzn.trace.id");
        try (Scope ignored = Context.bind(INCOMING)) {
            String expected = Trace.ROOT + " " + INCOMING;
            assertEquals(expected, pool.submit(mdc).get(TIMEOUT, TimeUnit.SECONDS));
            assertEquals(expected, CompletableFuture.supplyAsync(() -> get(mdc)).get(TIMEOUT, TimeUnit.SECONDS));
            AtomicReference<String> seen = new AtomicReference<>();
            waitFor(done -> pool.execute(() -> done.accept(() -> {
                seen.set(mdc.call());
                return 0;
            })));
            assertEquals(expected, seen.get());
        }
        for (int i = 0; i < 4; i++) {
            assertEquals("null null", pool.submit(mdc).get(TIMEOUT, TimeUnit.SECONDS));
        }
        assertEquals("null null", CompletableFuture.supplyAsync(() -> get(mdc)).get(TIMEOUT, TimeUnit.SECONDS));
    }

    /** A pool whose queue compares its tasks gets them as they are (they run without the context). */
    @Test
    void aPriorityQueuesTasksAreLeftAsTheyAre() throws Exception {
        ThreadPoolExecutor prioritised = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES,
                new PriorityBlockingQueue<>());
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(2);
        try (Scope ignored = Context.bind(INCOMING)) {
            prioritised.execute(new Ranked(0, () -> await(hold)));
            prioritised.execute(new Ranked(1, done::countDown));
            prioritised.execute(new Ranked(2, done::countDown));
        } finally {
            hold.countDown();
        }
        assertTrue(done.await(TIMEOUT, TimeUnit.SECONDS));
        prioritised.shutdownNow();
    }

    /** The application's own thread class, whose {@code run()} calls {@code super.run()}. */
    static final class CallingSuper extends Thread {
        final AtomicInteger runs = new AtomicInteger();

        CallingSuper(Runnable task) {
            super(task);
        }

        @Override
        public void run() {
            runs.incrementAndGet();
            super.run();
        }
    }

    /** The application's own fork/join task: splits {@code n} calls in halves, forking one, each leaf calls out. */
    static final class Calls extends RecursiveTask<Integer> {
        final int n;
        final Callable<Integer> call;

        Calls(int n, Callable<Integer> call) {
            this.n = n;
            this.call = call;
        }

        @Override
        protected Integer compute() {
            if (n == 1) {
                return ExecutorsTest.get(call);
            }
            Calls left = new Calls(n / 2, call);
            left.fork();
            int right = new Calls(n - n / 2, call).compute();
            return left.join() + right;
        }
    }

    /** The app's Comparable task. */
    static final class Ranked implements Runnable, Comparable<Ranked> {
        final int rank;
        final Runnable body;

        Ranked(int rank, Runnable body) {
            this.rank = rank;
            this.body = body;
        }

        @Override
        public void run() {
            body.run();
        }

        @Override
        public int compareTo(Ranked o) {
            return Integer.compare(rank, o.rank);
        }
    }

    private void assertNoContextLeftOnThePools() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertNull(pool.submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            AtomicReference<String> seen = new AtomicReference<>("unset");
            waitFor(done -> pool.execute(() -> done.accept(() -> {
                seen.set(Context.current());
                return 0;
            })));
            assertNull(seen.get(), "a pooled thread kept a context");
            assertNull(scheduled.submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            assertNull(forkJoin.submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            assertNull(CompletableFuture.supplyAsync(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            Set<String> seenInStream = java.util.concurrent.ConcurrentHashMap.newKeySet();
            IntStream.range(0, 64).parallel().forEach(x -> seenInStream.add(String.valueOf(Context.current())));
            assertEquals(Set.of("null"), seenInStream, "a common pool worker kept a context");
            AtomicReference<String> inThread = new AtomicReference<>("unset");
            Thread thread = new Thread(() -> inThread.set(Context.current()));
            thread.start();
            thread.join(TIMEOUT * 1000L);
            assertNull(inThread.get());
        }
    }

    private List<String> headersOf(String path) {
        List<String> headers = new ArrayList<>();
        for (RecordingServer.Received r : back.received()) {
            if (r.path.equals(path)) {
                headers.add(r.traceHeader());
            }
        }
        return headers;
    }

    /** Runs {@code action} with a context of its own bound; returns a weak reference to that context. */
    private static WeakReference<String> bound(Runnable action) {
        String context = new String("Root=" + Trace.ROOT + ";Capture=" + System.nanoTime());
        WeakReference<String> ref = new WeakReference<>(context);
        try (Scope ignored = Context.bind(context)) {
            action.run();
        }
        return ref;
    }

    private static void assertCollected(WeakReference<String> ref, String what) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(ref.get(), what + " is still held");
    }

    private static void awaitIdle(ThreadPoolExecutor executor, long completed) throws InterruptedException {
        for (int i = 0; i < 1000 && executor.getCompletedTaskCount() < completed; i++) {
            Thread.sleep(10);
        }
        assertTrue(executor.getCompletedTaskCount() >= completed);
    }

    /** Hands a task over that calls {@code done} with its call, then waits for that call's outcome. */
    interface HandOver {
        void handOver(Done done) throws Exception;
    }

    /** Runs the call and records its outcome. */
    interface Done {
        void accept(Callable<Integer> call);
    }

    private static void waitFor(HandOver handOver) throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        handOver.handOver(call -> {
            try {
                call.call();
            } catch (Throwable e) {
                failed.set(e);
            } finally {
                latch.countDown();
            }
        });
        assertTrue(latch.await(TIMEOUT, TimeUnit.SECONDS), "the task did not run");
        rethrow(failed.get());
    }

    private static void rethrow(Throwable failed) throws Exception {
        if (failed instanceof Exception) {
            throw (Exception) failed;
        }
        if (failed instanceof Error) {
            throw (Error) failed;
        }
    }

    static <T> T get(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Java 21's virtual threads, by reflection: the tests compile for 17. */
    static final class VirtualThreads {
        private VirtualThreads() {
        }

        static Thread start(Runnable task) throws Exception {
            return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
        }

        /** {@code Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())}: a platform thread per task. */
        static ExecutorService platformPerTask() {
            try {
                Object builder = Thread.class.getMethod("ofPlatform").invoke(null);
                Object factory = Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
                return (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor",
                        java.util.concurrent.ThreadFactory.class).invoke(null, factory);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        static Thread startPlatform(Runnable task) throws Exception {
            Object builder = Thread.class.getMethod("ofPlatform").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class)
                    .invoke(builder, task);
        }

        static ExecutorService perTaskExecutor() throws Exception {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }
    }
}

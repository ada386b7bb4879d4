package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * SPEC 5.5: a thread started while a request is served never sends that request's Root once the request is over,
 * nor for other requests' work, while a thread that runs the request's own work has its context. A real front (the
 * JDK's {@code HttpServer}, whose entry point binds the context) starts the threads in its handler; every call is a
 * real {@code HttpURLConnection} request to a back service that records the exact header.
 *
 * <p>The front serves on one thread, so a request's handler (and the entry's scope around it) has returned once
 * the next request is being served: {@link #served} is how a test knows the request is over.
 */
@ExtendWith(InstalledAgent.class)
class ThreadLifetimeTest {

    static final int TIMEOUT = 20;
    static final String FIRST = "Root=1-67891233-aaaaaaaaaaaaaaaaaaaaaaaa;Lb=first";

    RecordingServer back;
    Front front;

    @BeforeEach
    void start() throws IOException {
        back = new RecordingServer();
        front = new Front(Executors.newSingleThreadExecutor(), null);
        front.handle("/served", exchange -> Front.respond(exchange, 200, "ok"));
    }

    @AfterEach
    void stop() throws Exception {
        front.close();
        back.close();
    }

    /** A thread the handler starts has the request's context while the request is served, none afterwards. */
    @Test
    void aThreadStartedInARequestHasItsContextOnlyWhileTheRequestIsServed() throws Exception {
        CountDownLatch later = new CountDownLatch(1);
        AtomicReference<String> during = new AtomicReference<>();
        AtomicReference<String> duringMdc = new AtomicReference<>();
        List<String> after = new ArrayList<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        front.handle("/start/", exchange -> {
            CountDownLatch firstCall = new CountDownLatch(1);
            Thread thread = new Thread(() -> {
                try {
                    during.set(Context.current());
                    duringMdc.set(MDC.get("amzn.trace.root"));
                    Front.connectionGet(back.url("/during"));
                    firstCall.countDown();
                    later.await(TIMEOUT, TimeUnit.SECONDS);
                    Front.connectionGet(back.url("/after"));
                    after.add(String.valueOf(Context.current()));
                    after.add(String.valueOf(MDC.get("amzn.trace.root")));
                    after.add(String.valueOf(MDC.get("amzn.trace.id")));
                } catch (Exception e) {
                    after.add("failed: " + e);
                }
            });
            worker.set(thread);
            startThread(thread);
            ExecutorsTest.await(firstCall);
            Front.respond(exchange, 200, "ok");
        });
        assertEquals(200, front.call("/start/", FIRST).code);
        served();
        later.countDown();
        worker.get().join(TIMEOUT * 1000L);
        assertEquals(FIRST, during.get());
        assertEquals(root(FIRST), duringMdc.get());
        Trace.assertForwarded("Self={NEW};" + FIRST, FIRST, only("/during"));
        Trace.assertForwarded("Root={NEW}", FIRST, only("/after"));
        assertEquals(List.of("null", "null", "null"), after, "the context or the MDC outlived the request");
    }

    /**
     * A poller the application starts lazily in its first request (from a method, and from a constructor) serves the
     * later requests' work: none of it carries the first request's Root, nor the Root of the request it is for
     * (the poller is not that request's thread: a new Root), and requests with distinct Roots in flight together
     * each get their own on their own threads.
     */
    @Test
    void aPollerStartedLazilyInTheFirstRequestNeverSendsItsRootForOthers() throws Exception {
        AtomicReference<Poller> fromMethod = new AtomicReference<>();
        AtomicReference<Poller> fromConstructor = new AtomicReference<>();
        front.handle("/lazy/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/lazy/".length());
            try {
                if (fromMethod.get() == null) {
                    Poller poller = new Poller(false);
                    poller.startLater();
                    fromMethod.set(poller);
                    fromConstructor.set(new Poller(true));
                }
                fromMethod.get().submit(() -> Front.connectionGet(back.url("/method/" + id)))
                        .get(TIMEOUT, TimeUnit.SECONDS);
                fromConstructor.get().submit(() -> Front.connectionGet(back.url("/constructor/" + id)))
                        .get(TIMEOUT, TimeUnit.SECONDS);
                Front.connectionGet(back.url("/own/" + id));
            } catch (Exception e) {
                Front.respond(exchange, 500, String.valueOf(e));
                return;
            }
            Front.respond(exchange, 200, "ok");
        });
        try {
            assertEquals(200, front.call("/lazy/first", FIRST).code);
            served();
            Set<String> roots = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                String incoming = "Root=1-67891233-" + String.format(Locale.ROOT, "%024x", 0xb000 + i) + ";N=" + i;
                assertEquals(200, front.call("/lazy/" + i, incoming).code);
                Trace.assertForwarded("Self={NEW};" + incoming, incoming, only("/own/" + i));
                for (String path : new String[] {"/method/" + i, "/constructor/" + i}) {
                    String header = only(path);
                    Trace.assertForwarded("Root={NEW}", FIRST + incoming, header);
                    assertTrue(roots.add(header), "a Root used twice");
                }
            }
            // in the first request, the poller it started from a method had its context; the component's, none
            Trace.assertForwarded("Self={NEW};" + FIRST, FIRST, only("/method/first"));
            Trace.assertForwarded("Root={NEW}", FIRST, only("/constructor/first"));
            assertNull(fromMethod.get().submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            assertNull(fromConstructor.get().submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
            assertNull(fromMethod.get().submit(() -> MDC.get("amzn.trace.root")).get(TIMEOUT, TimeUnit.SECONDS));
        } finally {
            fromMethod.get().close();
            fromConstructor.get().close();
        }
    }

    /**
     * Threads that serve many requests never take a request's context, even when they are started inside one: an
     * application's own pool that starts its worker lazily ({@code Executor.execute}), a {@code ThreadFactory}'s
     * thread started by the factory, and Netty's event executor ({@code FastThreadLocalThread}, started by its
     * {@code ThreadPerTaskExecutor}). Requests with distinct Roots are in flight together.
     */
    @Test
    void poolsAndEventLoopsStartedInARequestNeverTakeItsContext() throws Exception {
        LazyPool lazyPool = new LazyPool();
        StartingFactory factory = new StartingFactory();
        DefaultEventExecutor[] loop = new DefaultEventExecutor[1];
        ExecutorService clients = Executors.newFixedThreadPool(4);
        Front busy = new Front(Executors.newFixedThreadPool(8), null);
        busy.handle("/pools/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/pools/".length());
            try {
                synchronized (loop) {
                    if (loop[0] == null) {
                        loop[0] = new DefaultEventExecutor();
                    }
                }
                List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
                CompletableFuture<Void> pooled = new CompletableFuture<>();
                lazyPool.execute(() -> {
                    seen.add(String.valueOf(Context.current()));
                    call("/pool/" + id, pooled);
                });
                CompletableFuture<Void> made = new CompletableFuture<>();
                factory.startOne(() -> {
                    seen.add(String.valueOf(Context.current()));
                    call("/factory/" + id, made);
                });
                Future<Integer> onLoop = loop[0].submit(() -> {
                    seen.add(String.valueOf(Context.current()));
                    return Front.connectionGet(back.url("/loop/" + id));
                });
                pooled.get(TIMEOUT, TimeUnit.SECONDS);
                made.get(TIMEOUT, TimeUnit.SECONDS);
                onLoop.get(TIMEOUT, TimeUnit.SECONDS);
                Front.respond(exchange, 200, String.join(",", seen));
            } catch (Exception e) {
                Front.respond(exchange, 500, String.valueOf(e));
            }
        });
        try {
            List<Future<Front.Called>> calls = new ArrayList<>();
            List<String> incoming = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String header = "Root=1-67891233-" + String.format(Locale.ROOT, "%024x", 0xc000 + i);
                incoming.add(header);
                int n = i;
                calls.add(clients.submit(() -> busy.call("/pools/" + n, header)));
            }
            for (int i = 0; i < calls.size(); i++) {
                Front.Called r = calls.get(i).get(TIMEOUT, TimeUnit.SECONDS);
                assertEquals(200, r.code, r.body);
                assertEquals("null,null,null", r.body, "a pool's, a factory's or an event loop's thread had a context");
                for (String path : new String[] {"/pool/" + i, "/factory/" + i, "/loop/" + i}) {
                    Trace.assertForwarded("Root={NEW}", String.join(";", incoming), only(path));
                }
            }
            assertNull(loop[0].submit(Context::current).get(TIMEOUT, TimeUnit.SECONDS));
        } finally {
            clients.shutdownNow();
            busy.close();
            lazyPool.close();
            if (loop[0] != null) {
                loop[0].shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT * 1000L);
            }
        }
    }

    /**
     * A thread-per-task executor's thread runs the request's own task: Spring's {@code SimpleAsyncTaskExecutor}
     * (and on Java 21+ the JDK's {@code newThreadPerTaskExecutor} of platform threads) keeps the request's context
     * for the whole task, even where the task goes on after the request is over (fire and forget).
     */
    @Test
    void aThreadPerTaskExecutorsTaskKeepsTheRequestsContextAfterTheRequest() throws Exception {
        SimpleAsyncTaskExecutor spring = new SimpleAsyncTaskExecutor("spring-task-");
        ExecutorService jdk = Runtime.version().feature() >= 21 ? ExecutorsTest.VirtualThreads.platformPerTask() : null;
        CountDownLatch later = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(jdk == null ? 1 : 2);
        front.handle("/per-task/", exchange -> {
            spring.execute(() -> fireAndForget(later, "/spring", done));
            if (jdk != null) {
                jdk.execute(() -> fireAndForget(later, "/jdk-per-task", done));
            }
            Front.respond(exchange, 200, "ok");
        });
        try {
            assertEquals(200, front.call("/per-task/", FIRST).code);
            served();
            later.countDown();
            assertTrue(done.await(TIMEOUT, TimeUnit.SECONDS));
            Trace.assertForwarded("Self={NEW};" + FIRST, FIRST, only("/spring"));
            if (jdk != null) {
                Trace.assertForwarded("Self={NEW};" + FIRST, FIRST, only("/jdk-per-task"));
            }
        } finally {
            if (jdk != null) {
                jdk.shutdownNow();
            }
        }
    }

    /**
     * A thread started by a thread that inherited a request's context has it while the request is served, even once
     * the thread that started it has ended, and loses it with the request (a chain of starts).
     */
    @Test
    void aThreadStartedByAnInheritingThreadLosesTheContextWithTheRequest() throws Exception {
        CountDownLatch later = new CountDownLatch(1);
        AtomicReference<Thread> grandchild = new AtomicReference<>();
        front.handle("/chain/", exchange -> {
            CountDownLatch started = new CountDownLatch(1);
            startThread(new Thread(() -> {
                Thread t = new Thread(() -> {
                    call("/chain-during", null);
                    started.countDown();
                    ExecutorsTest.await(later);
                    call("/chain-after", null);
                });
                grandchild.set(t);
                startThread(t);
            }));
            ExecutorsTest.await(started);
            Front.respond(exchange, 200, "ok");
        });
        assertEquals(200, front.call("/chain/", FIRST).code);
        served();
        later.countDown();
        grandchild.get().join(TIMEOUT * 1000L);
        assertFalse(grandchild.get().isAlive());
        Trace.assertForwarded("Self={NEW};" + FIRST, FIRST, only("/chain-during"));
        Trace.assertForwarded("Root={NEW}", FIRST, only("/chain-after"));
    }

    /**
     * A synchronous {@code CompletableFuture} stage runs with the context of the code that made it, not with the
     * context of the thread that completes the stage before it: a stage made in one request and completed while
     * another request (its own Root) is served calls out with the first request's Root.
     */
    @Test
    void aSynchronousStageRunsWithTheContextWhereItWasMade() throws Exception {
        CompletableFuture<String> pending = new CompletableFuture<>();
        AtomicReference<CompletableFuture<Integer>> stage = new AtomicReference<>();
        front.handle("/make/", exchange -> {
            stage.set(pending.thenApply(x -> ExecutorsTest.get(() -> Front.connectionGet(back.url("/stage")))));
            Front.respond(exchange, 200, "ok");
        });
        String second = "Root=1-67891233-dddddddddddddddddddddddd;Lb=second";
        front.handle("/complete/", exchange -> {
            pending.complete("go");
            Front.respond(exchange, 200, String.valueOf(Context.current()));
        });
        assertEquals(200, front.call("/make/", FIRST).code);
        Front.Called r = front.call("/complete/", second);
        assertEquals(second, r.body);
        assertEquals(200, stage.get().get(TIMEOUT, TimeUnit.SECONDS));
        Trace.assertForwarded("Self={NEW};" + FIRST, FIRST + second, only("/stage"));
        // made where no context is bound: it runs with that of the thread that completes it, as before
        CompletableFuture<String> unbound = new CompletableFuture<>();
        CompletableFuture<Integer> free = unbound.thenApply(x -> ExecutorsTest.get(() -> Front.connectionGet(back.url("/free"))));
        front.handle("/complete-free/", exchange -> {
            unbound.complete("go");
            Front.respond(exchange, 200, "ok");
        });
        assertEquals(200, front.call("/complete-free/", second).code);
        assertEquals(200, free.get(TIMEOUT, TimeUnit.SECONDS));
        Trace.assertForwarded("Self={NEW};" + second, second, only("/free"));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Waits until the front has finished the previous request (its one thread serves this one). */
    private void served() throws Exception {
        assertEquals(200, front.call("/served", null).code);
    }

    private String only(String path) {
        List<String> headers = new ArrayList<>();
        for (RecordingServer.Received r : back.received()) {
            if (r.path.equals(path)) {
                headers.add(r.traceHeader());
            }
        }
        assertEquals(1, headers.size(), path + ": " + headers);
        return headers.get(0);
    }

    private static String root(String header) {
        return header.substring("Root=".length(), header.indexOf(';'));
    }

    /** Starts {@code thread} from a plain method of the application (not a constructor, not an executor). */
    private static void startThread(Thread thread) {
        thread.start();
    }

    private void call(String path, CompletableFuture<Void> done) {
        try {
            Front.connectionGet(back.url(path));
            if (done != null) {
                done.complete(null);
            }
        } catch (Exception e) {
            if (done != null) {
                done.completeExceptionally(e);
            }
        }
    }

    private void fireAndForget(CountDownLatch later, String path, CountDownLatch done) {
        ExecutorsTest.await(later);
        call(path, null);
        done.countDown();
    }

    /** A poller: one long-lived thread taking jobs from a queue, started by a method or by its constructor. */
    static final class Poller implements AutoCloseable {
        private final BlockingQueue<FutureJob> jobs = new LinkedBlockingQueue<>();
        private final Thread thread = new Thread(this::loop, "poller");

        Poller(boolean startNow) {
            thread.setDaemon(true);
            if (startNow) {
                thread.start();
            }
        }

        void startLater() {
            thread.start();
        }

        <T> Future<T> submit(Callable<T> job) {
            FutureJob f = new FutureJob(job);
            jobs.add(f);
            @SuppressWarnings("unchecked")
            Future<T> result = (Future<T>) f.result;
            return result;
        }

        private void loop() {
            try {
                while (true) {
                    FutureJob job = jobs.take();
                    try {
                        job.result.complete(job.job.call());
                    } catch (Exception e) {
                        job.result.completeExceptionally(e);
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(TIMEOUT * 1000L);
        }

        static final class FutureJob {
            final Callable<?> job;
            final CompletableFuture<Object> result = new CompletableFuture<>();

            FutureJob(Callable<?> job) {
                this.job = job;
            }
        }
    }

    /** An application's own pool (not the JDK's), which starts its one worker on its first task. */
    static final class LazyPool implements Executor, AutoCloseable {
        private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        private Thread worker;

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
            if (worker == null) {
                worker = new Thread(this::work, "lazy-pool");
                worker.setDaemon(true);
                worker.start();
            }
        }

        private void work() {
            try {
                while (true) {
                    tasks.take().run();
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        @Override
        public synchronized void close() throws InterruptedException {
            if (worker != null) {
                worker.interrupt();
                worker.join(TIMEOUT * 1000L);
            }
        }
    }

    /** A thread factory that starts the threads it makes. */
    static final class StartingFactory implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "factory-made");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        void startOne(Runnable task) {
            newThread(task);
        }
    }
}

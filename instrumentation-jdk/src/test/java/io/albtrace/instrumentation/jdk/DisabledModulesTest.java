package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.weaver.Installer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/**
 * Runs in a JVM of its own (the pom's modules-disabled execution) with
 * {@code albtrace.instrumentation.jdk-httpclient.enabled=false} and {@code http-url-connection} and
 * {@code executors} off too, the server entry on: the clients' requests leave exactly as the application made them,
 * and tasks handed to other threads carry nothing.
 */
class DisabledModulesTest {

    private static Installer installer;

    /** The agent installed once, with this JVM's settings. */
    private static synchronized Installer installed() {
        if (installer == null) {
            installer = Installer.install(ByteBuddyAgent.install(), DisabledModulesTest.class.getClassLoader());
        }
        return installer;
    }

    @Test
    void switchedOffClientsLeaveTheWireUntouched() throws Exception {
        Config config = Config.current();
        assertFalse(config.instrumentationEnabled("jdk-httpclient"), "run by the modules-disabled execution");
        assertFalse(config.instrumentationEnabled("http-url-connection"));
        assertFalse(config.instrumentationEnabled("executors"));
        assertTrue(config.instrumentationEnabled("jdk-httpserver"));
        Installer installer = installed();
        assertEquals(java.util.Set.of("com.sun.net.httpserver.Filter$Chain"), installer.typeNames());

        String two = "Root=1-5759e988-bd862e3fe1be46a994272793";
        try (RecordingServer back = new RecordingServer();
                Front front = new Front(Executors.newSingleThreadExecutor(), null)) {
            front.handle("/front", exchange -> {
                try {
                    String seen = String.valueOf(Context.current());
                    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(back.url("/client"))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    HttpURLConnection c = (HttpURLConnection) new URL(back.url("/connection")).openConnection();
                    c.addRequestProperty(Trace.NAME, "Root=" + Trace.ROOT);
                    c.addRequestProperty(Trace.NAME, two);
                    c.getInputStream().close();
                    Front.respond(exchange, 200, seen);
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
            });
            Front.Called r = front.call("/front", "Root=" + Trace.ROOT);
            assertEquals("Root=" + Trace.ROOT, r.body, "the server entry point is still on");
            List<RecordingServer.Received> calls = back.received();
            assertEquals(List.of(), calls.get(0).traceHeaders(), "no header added: the context is not forwarded");
            assertEquals(List.of("Root=" + Trace.ROOT, two), calls.get(1).traceHeaders(), "both copies, unchanged");
        }
        assertNull(Context.current());
    }

    @Test
    void switchedOffExecutorsLeaveTasksAsTheyAre() throws Exception {
        assertFalse(Config.current().instrumentationEnabled("executors"), "run by the modules-disabled execution");
        assertEquals(java.util.Set.of("com.sun.net.httpserver.Filter$Chain"), installed().typeNames());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        try (Scope ignored = Context.bind(Trace.CONTEXT)) {
            AtomicReference<Object> seen = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(() -> {
                seen.set(Context.current());
                ran.countDown();
            });
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertNull(seen.get(), "an executed task: no context carried");
            assertNull(pool.submit(Context::current).get(10, TimeUnit.SECONDS), "a submitted task");
            assertNull(CompletableFuture.supplyAsync(Context::current).get(10, TimeUnit.SECONDS), "a stage");
            assertNull(ForkJoinPool.commonPool().submit(Context::current).get(10, TimeUnit.SECONDS), "fork/join");
            AtomicReference<Object> inThread = new AtomicReference<>("unset");
            Thread thread = new Thread(() -> inThread.set(Context.current()));
            thread.start();
            thread.join(10_000);
            assertNull(inThread.get(), "a thread started here");
            java.util.Set<Object> inStream = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.stream.IntStream.range(0, 1000).boxed().collect(java.util.stream.Collectors.toList())
                    .parallelStream().forEach(i -> {
                        if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread) {
                            inStream.add(String.valueOf(Context.current()));
                        }
                    });
            assertTrue(inStream.isEmpty() || inStream.equals(java.util.Set.of("null")), "a parallel stream: " + inStream);
            assertEquals(0, io.albtrace.core.CapturedContexts.threadEntries() + io.albtrace.core.CapturedContexts.taskEntries());
        } finally {
            pool.shutdownNow();
        }
    }
}

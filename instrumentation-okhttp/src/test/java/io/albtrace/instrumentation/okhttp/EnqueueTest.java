package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** SPEC 5.2: enqueue() forwards the caller's context although a dispatcher thread sends the request. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class EnqueueTest extends OkHttpTestSupport {

    /** What a callback saw, on which thread. */
    static final class Outcome implements Callback {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Object> result = new AtomicReference<>();
        final AtomicReference<String> contextInCallback = new AtomicReference<>("not called");
        final AtomicReference<Thread> thread = new AtomicReference<>();

        @Override
        public void onFailure(Call call, IOException e) {
            contextInCallback.set(Context.current());
            thread.set(Thread.currentThread());
            result.set(e);
            done.countDown();
        }

        @Override
        public void onResponse(Call call, Response response) throws IOException {
            try (Response r = response) {
                contextInCallback.set(Context.current());
                thread.set(Thread.currentThread());
                result.set(r.code() + " " + r.body().string());
            }
            done.countDown();
        }

        void await() throws InterruptedException {
            assertTrue(done.await(10, TimeUnit.SECONDS), "the callback was not called");
            assertEquals("200 ok", String.valueOf(result.get()));
        }
    }

    @Test
    void enqueueForwardsTheCallersContext() throws Exception {
        Outcome outcome = new Outcome();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            client.newCall(request("/async").build()).enqueue(outcome);
        }
        outcome.await();
        assertNotEquals(Thread.currentThread(), outcome.thread.get(), "OkHttp called back on its own thread");
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
        assertNull(outcome.contextInCallback.get(), "the dispatcher thread has no context bound");
        // and none is left on the dispatcher's threads afterwards
        CompletableFuture<String> later = CompletableFuture.supplyAsync(Context::current,
                client.dispatcher().executorService());
        assertNull(later.get(10, TimeUnit.SECONDS));
    }

    @Test
    void eachEnqueuedCallKeepsItsOwnCallersContext() throws Exception {
        String otherRoot = "1-8a3c60f7-d188f8fa79d48a391a778fa6";
        Outcome a = new Outcome();
        Outcome b = new Outcome();
        Outcome c = new Outcome();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            client.newCall(request("/a").build()).enqueue(a);
        }
        try (Scope s = Context.bind("Root=" + otherRoot)) {
            client.newCall(request("/b").build()).enqueue(b);
        }
        client.newCall(request("/c").build()).enqueue(c);
        a.await();
        b.await();
        c.await();
        assertEquals(3, server.received().size());
        for (RecordingServer.Received r : server.received()) {
            switch (r.path) {
                case "/a":
                    Trace.self(r.traceHeader(), Trace.CONTEXT);
                    break;
                case "/b":
                    Trace.self(r.traceHeader(), "Root=" + otherRoot);
                    break;
                default:
                    assertEquals("/c", r.path);
                    Trace.assertForwarded("Root={NEW}", null, r.traceHeader());
            }
        }
        assertNotNull(a.thread.get());
    }
}

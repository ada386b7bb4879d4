package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.CloseableHttpPipeliningClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.message.BasicHttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HttpAsyncClient 4.1 under load: calls with distinct Roots in flight together on one client (two I/O reactor
 * threads), each followed by a call its callback makes on the I/O reactor for no request; and pipelines.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class AsyncClient4ConcurrencyTest {

    private static final int CALLS = 8;

    /** Context {@code i}: a Root of its own and a custom field naming it. */
    private static String context(int i) {
        return String.format("Root=1-67891233-%024x;Call=%d", 0xabc000 + i, i);
    }

    /**
     * SPEC 5.2 and 5.5: eight calls made in eight contexts, all held by the server until every one arrived, each
     * forwards its own caller's context with its own Self, although the I/O reactor sends them all. The callback of
     * each runs with no context bound and makes a call there, for no request: it gets a new Root, none of the eight
     * (nothing stuck to the reactor's threads). A later call outside any context too.
     */
    @Test
    void distinctRootsInFlightAndNothingLeftOnTheReactorsThreads() throws Exception {
        CountDownLatch all = new CountDownLatch(CALLS);
        try (RecordingServer server = new RecordingServer();
                CloseableHttpAsyncClient client = HttpAsyncClients.custom().setMaxConnPerRoute(CALLS)
                        .setMaxConnTotal(CALLS).build()) {
            client.start();
            for (int i = 0; i < CALLS; i++) {
                server.answer("/call/" + i, (exchange, count) -> {
                    all.countDown();
                    try {
                        all.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    RecordingServer.ok(exchange, "ok");
                });
            }
            Map<Integer, String> inCallbacks = new ConcurrentHashMap<>();
            List<CompletableFuture<HttpResponse>> followUps = new ArrayList<>();
            List<CompletableFuture<HttpResponse>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                CompletableFuture<HttpResponse> followUp = new CompletableFuture<>();
                followUps.add(followUp);
                int n = i;
                CompletableFuture<HttpResponse> call = new CompletableFuture<>();
                calls.add(call);
                try (Scope s = Context.bind(context(i))) {
                    client.execute(new HttpGet(server.url("/call/" + i)), new Callback(call) {
                        @Override
                        public void completed(HttpResponse response) {
                            String here = Context.current();
                            inCallbacks.put(n, here == null ? "(none)" : here);
                            client.execute(new HttpGet(server.url("/follow-up/" + n)), new Callback(followUp));
                            super.completed(response);
                        }
                    });
                }
            }
            for (int i = 0; i < CALLS; i++) {
                assertEquals(200, calls.get(i).get(30, TimeUnit.SECONDS).getStatusLine().getStatusCode(),
                        "the calls were not in flight together");
                assertEquals(200, followUps.get(i).get(30, TimeUnit.SECONDS).getStatusLine().getStatusCode());
            }
            for (int i = 0; i < CALLS; i++) {
                assertEquals("(none)", inCallbacks.get(i), "the client's callback runs with no context bound");
            }
            StringBuilder everyContext = new StringBuilder();
            Set<String> selves = new HashSet<>();
            for (int i = 0; i < CALLS; i++) {
                everyContext.append(context(i)).append(';');
                List<RecordingServer.Received> at = received(server, "/call/" + i);
                assertEquals(1, at.size());
                assertEquals(1, at.get(0).traceHeaders().size());
                assertTrue(selves.add(Trace.self(at.get(0).traceHeader(), context(i))), "each call its own Self");
            }
            for (int i = 0; i < CALLS; i++) {
                List<RecordingServer.Received> at = received(server, "/follow-up/" + i);
                assertEquals(1, at.size());
                Trace.assertForwarded("Root={NEW}", everyContext.toString(), at.get(0).traceHeader());
            }
            CompletableFuture<HttpResponse> after = new CompletableFuture<>();
            client.execute(new HttpGet(server.url("/after")), new Callback(after));
            after.get(30, TimeUnit.SECONDS);
            Trace.assertForwarded("Root={NEW}", everyContext.toString(), received(server, "/after").get(0).traceHeader());
            assertNull(Context.current());
        }
    }

    /**
     * The pipelining client ({@code HttpAsyncClients.createPipelining()}, {@code MinimalHttpAsyncClient}): three
     * requests written together on one connection in one {@code execute}, in a context, each forward it with a Self
     * of its own; a second pipeline made in another context on the same client forwards that one.
     */
    @Test
    void eachRequestOfAPipelineForwardsTheCallersContextWithItsOwnSelf() throws Exception {
        try (RecordingServer server = new RecordingServer();
                CloseableHttpPipeliningClient client = HttpAsyncClients.createPipelining()) {
            client.start();
            URI u = URI.create(server.url("/"));
            HttpHost target = new HttpHost(u.getHost(), u.getPort(), u.getScheme());
            String[] contexts = {Trace.CONTEXT, context(1)};
            for (int round = 0; round < 2; round++) {
                List<HttpRequest> requests = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    requests.add(new BasicHttpRequest("GET", "/pipeline/" + round + "/" + i));
                }
                List<HttpResponse> responses;
                try (Scope s = Context.bind(contexts[round])) {
                    responses = client.execute(target, requests, null).get(30, TimeUnit.SECONDS);
                }
                assertEquals(3, responses.size());
                Set<String> selves = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, responses.get(i).getStatusLine().getStatusCode());
                    List<RecordingServer.Received> at = received(server, "/pipeline/" + round + "/" + i);
                    assertEquals(1, at.size());
                    assertEquals(1, at.get(0).traceHeaders().size());
                    assertTrue(selves.add(Trace.self(at.get(0).traceHeader(), contexts[round])));
                }
            }
        }
    }

    private static List<RecordingServer.Received> received(RecordingServer server, String path) {
        List<RecordingServer.Received> at = new ArrayList<>();
        for (RecordingServer.Received r : server.received()) {
            if (r.path.equals(path)) {
                at.add(r);
            }
        }
        return at;
    }

    /** Completes a future with the call's outcome. */
    private static class Callback implements FutureCallback<HttpResponse> {
        private final CompletableFuture<HttpResponse> done;

        Callback(CompletableFuture<HttpResponse> done) {
            this.done = done;
        }

        @Override
        public void completed(HttpResponse response) {
            done.complete(response);
        }

        @Override
        public void failed(Exception ex) {
            done.completeExceptionally(ex);
        }

        @Override
        public void cancelled() {
            done.cancel(false);
        }
    }
}

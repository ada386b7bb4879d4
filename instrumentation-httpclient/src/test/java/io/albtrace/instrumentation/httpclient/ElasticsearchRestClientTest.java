package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Elasticsearch's low-level {@code RestClient} (elasticsearch-rest-client 9.5.6, on HttpAsyncClient 4.1.5) against a
 * real local HTTP server answering like Elasticsearch (JSON, {@code X-Elastic-Product}): its synchronous
 * {@code performRequest} and its asynchronous {@code performRequestAsync} forward the caller's context, each call
 * with its own Self, although the client's I/O reactor sends them; its listener runs with no context.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ElasticsearchRestClientTest {

    private static final String OTHER = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";

    private static RecordingServer elasticsearch() throws Exception {
        RecordingServer server = new RecordingServer();
        server.answer("/_cluster/health", (exchange, count) -> json(exchange, "{\"status\":\"green\"}"));
        return server;
    }

    private static void json(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static RestClient client(RecordingServer server) {
        URI u = URI.create(server.url("/"));
        return RestClient.builder(new HttpHost(u.getHost(), u.getPort(), u.getScheme())).build();
    }

    @Test
    void performRequestForwardsTheCallersContext() throws Exception {
        try (RecordingServer server = elasticsearch(); RestClient client = client(server)) {
            Response r;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                r = client.performRequest(new Request("GET", "/_cluster/health"));
            }
            assertEquals(200, r.getStatusLine().getStatusCode());
            assertEquals("{\"status\":\"green\"}", EntityUtils.toString(r.getEntity()));
            Trace.self(server.only().traceHeader(), Trace.CONTEXT);
            assertEquals(1, server.only().traceHeaders().size());

            client.performRequest(new Request("GET", "/_cluster/health"));
            Trace.assertForwarded("Root={NEW}", Trace.CONTEXT, server.received().get(1).traceHeader());
        }
    }

    @Test
    void performRequestAsyncInFlightTogetherEachForwardsItsCallersContext() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        try (RecordingServer server = elasticsearch(); RestClient client = client(server)) {
            server.answer("/together/_search", (exchange, count) -> {
                both.countDown();
                try {
                    both.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                json(exchange, "{\"hits\":{}}");
            });
            String[] contexts = {Trace.CONTEXT, OTHER};
            List<CompletableFuture<String>> listeners = new ArrayList<>();
            for (String context : contexts) {
                CompletableFuture<String> done = new CompletableFuture<>();
                listeners.add(done);
                Request request = new Request("POST", "/together/_search");
                request.setJsonEntity("{\"query\":{\"match_all\":{}}}");
                request.addParameter("q", context.substring(5, 15));
                try (Scope s = Context.bind(context)) {
                    client.performRequestAsync(request, new ResponseListener() {
                        @Override
                        public void onSuccess(Response response) {
                            String here = Context.current();
                            done.complete(response.getStatusLine().getStatusCode() + " " + here);
                        }

                        @Override
                        public void onFailure(Exception exception) {
                            done.completeExceptionally(exception);
                        }
                    });
                }
            }
            for (CompletableFuture<String> done : listeners) {
                assertEquals("200 null", done.get(30, TimeUnit.SECONDS), "in flight together, no context in the listener");
            }
            List<RecordingServer.Received> all = server.received();
            assertEquals(2, all.size());
            for (RecordingServer.Received r : all) {
                assertEquals(1, r.traceHeaders().size());
                String root = Trace.rootOf(r.traceHeader());
                String context = Trace.rootOf(contexts[0]).equals(root) ? contexts[0] : contexts[1];
                assertTrue(root.equals(Trace.rootOf(context)));
                Trace.self(r.traceHeader(), context);
            }
            assertTrue(!Trace.rootOf(all.get(0).traceHeader()).equals(Trace.rootOf(all.get(1).traceHeader())),
                    "each call its own caller's Root");
            assertNull(Context.current());
        }
    }
}

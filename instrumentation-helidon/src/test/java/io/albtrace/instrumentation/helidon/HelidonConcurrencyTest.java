package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.helidon.webclient.api.ClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http2.Http2Client;
import io.helidon.webclient.http2.Http2ClientProtocolConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * SPEC 4 and 5.5 on Helidon, server and client together: requests with distinct Roots in flight at once (each
 * caller's thread in its own context, sending with Helidon's client; each request held in the server's handler until
 * all are there, where it calls a back service with Helidon's client) each keep their own Root, in the handler, its
 * MDC and its call; over HTTP/1.1 with kept-alive connections, the requests that follow on the same connections (and
 * threads) find nothing left there and get new Roots; over HTTP/2, all of them are streams of one connection.
 */
@ExtendWith(InstalledAgent.class)
class HelidonConcurrencyTest {

    private static final int CALLERS = 4;

    @BeforeEach
    void forget() {
        ServerEntryContract.forget();
    }

    @Test
    void http1KeptAliveConnectionsDistinctRootsInFlightThenNothingLeft() throws Exception {
        Http1Client client = Http1Client.builder().readTimeout(Duration.ofSeconds(20)).build();
        inFlightTogether(url -> client.get().uri(URI.create(url)), true);
    }

    @Test
    void http2StreamsOfOneConnectionDistinctRootsInFlightThenNothingLeft() throws Exception {
        Http2Client client = Http2Client.builder().readTimeout(Duration.ofSeconds(20))
                .protocolConfig(Http2ClientProtocolConfig.builder().priorKnowledge(true).build()).build();
        inFlightTogether(url -> client.get().uri(URI.create(url)), false);
    }

    private void inFlightTogether(Function<String, ClientRequest<?>> requests, boolean http1) throws Exception {
        CyclicBarrier together = new CyclicBarrier(CALLERS);
        Http1Client backClient = Http1Client.builder().readTimeout(Duration.ofSeconds(20)).build();
        Map<String, String> seenInHandler = new ConcurrentHashMap<>();
        try (RecordingServer back = new RecordingServer();
                HelidonServer server = new HelidonServer((req, res) -> {
                    String path = req.path().rawPath();
                    if (path.startsWith("/together/")) {
                        together.await(20, TimeUnit.SECONDS);
                    }
                    String context = Context.current();
                    seenInHandler.put(path, context + " | " + MDC.get("amzn.trace.root"));
                    try (HttpClientResponse r = backClient.get().uri(URI.create(back.url("/back" + path))).request()) {
                        assertEquals(200, r.status().code());
                    }
                    res.send(String.valueOf(context));
                })) {
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            try {
                List<Future<String>> answers = new ArrayList<>();
                List<String> roots = new ArrayList<>();
                for (int i = 0; i < CALLERS; i++) {
                    String root = String.format("1-6789123%d-abcdef01234567891234567%d", i, i);
                    roots.add(root);
                    String path = "/together/" + i;
                    answers.add(callers.submit(() -> {
                        try (Scope s = Context.bind("Root=" + root + ";Caller=" + path.substring(10))) {
                            return get(requests, server.url(path));
                        } finally {
                            assertNull(Context.current(), "the caller's thread has no context afterwards");
                        }
                    }));
                }
                for (int i = 0; i < CALLERS; i++) {
                    String context = answers.get(i).get(30, TimeUnit.SECONDS);
                    String root = roots.get(i);
                    String path = "/together/" + i;
                    // the caller forwarded its context with a new Self; the server's context is what arrived
                    Trace.assertForwarded("Self={NEW};Root=" + root + ";Caller=" + i, null, context);
                    assertEquals(context + " | " + root, seenInHandler.get(path), "the handler's context and MDC");
                    RecordingServer.Received call = back.received().stream().filter(r -> r.path.equals("/back" + path))
                            .findFirst().orElseThrow();
                    List<String> self = Trace.assertForwarded("Self={NEW};Root=" + root + ";Caller=" + i, context,
                            call.traceHeader());
                    assertFalse(context.contains(self.get(0)), "the back call has its own Self");
                }

                // the same connections again, sequentially, from callers without a context
                ServerEntryContract.forget();
                Set<String> rootsAfter = new HashSet<>();
                for (int i = 0; i < CALLERS * 2; i++) {
                    Future<String> after = callers.submit(() -> get(requests, server.url("/after")));
                    String context = after.get(30, TimeUnit.SECONDS);
                    String root = Trace.rootOf(context);
                    assertFalse(roots.contains(root), "a new Root, not one of the requests before: " + context);
                    rootsAfter.add(root);
                }
                assertEquals(CALLERS * 2, rootsAfter.size(), "each request its own new Root");
                if (http1) {
                    List<String> threads = HelidonServer.threadsNow();
                    assertEquals(CALLERS * 2, threads.size(), threads::toString);
                    assertEquals(Set.of("null | null | null"), Set.copyOf(threads),
                            "what the kept-alive connections' threads held before each later request");
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    private static String get(Function<String, ClientRequest<?>> requests, String url) {
        try (HttpClientResponse r = requests.apply(url).request()) {
            assertEquals(200, r.status().code());
            return r.as(String.class);
        }
    }

    @Test
    void aRequestsContextIsNotTheNextOnesOnAKeptAliveConnection() throws Exception {
        Http1Client client = Http1Client.builder().readTimeout(Duration.ofSeconds(20)).build();
        ServerEntryContract.callBackAt("http://127.0.0.1:1"); // not called: every path but the contract's own
        try (HelidonServer server = HelidonServer.contract()) {
            String first;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                first = get(url -> client.get().uri(URI.create(url)), server.url("/first"));
            }
            String second = get(url -> client.get().uri(URI.create(url)), server.url("/second"));
            Trace.assertForwarded("Self={NEW};" + Trace.CONTEXT, null, first);
            assertNotEquals(Trace.ROOT, Trace.rootOf(second), "the second request's own new Root: " + second);
            Trace.assertForwarded("Root={NEW}", null, second);
            assertEquals(List.of("null | null | null", "null | null | null"), HelidonServer.threadsNow(),
                    "the connection's thread before each request (one connection, kept alive)");
        }
    }
}

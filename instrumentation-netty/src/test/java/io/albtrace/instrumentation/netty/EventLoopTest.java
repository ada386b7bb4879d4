package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.core.Context;
import io.albtrace.testing.Trace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 4.6 and 5.5 on Netty's event loops, with real Netty on 127.0.0.1: a request's context is bound while its own
 * code runs on the loop (its read, its continuations, its client's listeners) and never while another request's code
 * runs there; a loop or a poller started lazily inside a request carries no Root afterwards; pipelined and kept-alive
 * requests on one connection each get their own context.
 */
@ExtendWith(InstalledAgent.class)
class EventLoopTest {

    /** A back service (Netty): records the trace header each path arrived with, answers {@code ok}. */
    private static NettyServer back(Map<String, String> received) throws InterruptedException {
        return new NettyServer(2, (ctx, request) -> {
            String header = request.headers().get(Trace.NAME);
            received.put(request.uri(), header == null ? "none" : header);
            NettyServer.respond(ctx, request, 200, "ok");
        });
    }

    private static String root(int i) {
        return String.format("1-%08x-%024x", 0x60000000 + i, i);
    }

    /**
     * 1,000 requests, each with its own Root, all in flight together on a server of 2 event loops: each handler waits
     * until all have arrived, then, in its continuation on the loop, calls the back service with a Netty client
     * (connect, then write in the connect's listener) and answers with the context it sees once that call is done.
     * Every call carries its own request's Root and no other; nothing is left on any loop afterwards.
     */
    @Test
    void aThousandRequestsInFlightOnTwoLoopsEachCallCarriesItsOwnRoot() throws Exception {
        int n = 1000;
        Map<String, String> received = new ConcurrentHashMap<>();
        AtomicInteger arrived = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        try (NettyServer backService = back(received); NettyClient client = new NettyClient(2)) {
            try (NettyServer server = new NettyServer(2, (ctx, request) -> {
                String path = request.uri();
                String seen = String.valueOf(Context.current());
                if (arrived.incrementAndGet() == n) {
                    all.complete(null);
                }
                request.retain();
                all.thenRunAsync(() -> client.send(NettyClient.request("GET", backService.url("/back" + path),
                                List.of(), null))
                        .whenComplete((r, failure) -> ctx.executor().execute(() -> {
                            String now = String.valueOf(Context.current());
                            NettyServer.respond(ctx, request, failure == null && now.equals(seen) ? 200 : 500,
                                    now + (failure == null ? "" : " " + failure));
                            request.release();
                        })), ctx.executor());
            })) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(server.url("/r" + i)))
                            .header(Trace.NAME, "Root=" + root(i) + ";N=" + i).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                List<String> contexts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    HttpResponse<String> r = responses.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode(), r.body());
                    // the JDK client forwarded the test's header (a Self of its own): the server's context
                    Trace.assertForwarded("Self={NEW};Root=" + root(i) + ";N=" + i, null, r.body());
                    contexts.add(r.body());
                }
                assertEquals(n, received.size());
                for (int i = 0; i < n; i++) {
                    Trace.assertForwarded("Self={NEW};Root=" + root(i) + ";N=" + i, contexts.get(i),
                            received.get("/back/r" + i));
                }
                assertNothingOn(server.workers);
                assertNothingOn(client.group);
                assertNothingOn(backService.workers);
            }
        }
    }

    /**
     * A request whose handler starts a Netty client's event loops (its first use) and a poller thread: once that
     * request is over, calls made from those loops and from the poller, for no request or another one, carry no
     * stale Root (a new one, or the other request's).
     */
    @Test
    void loopsAndPollerStartedInARequestCarryNoStaleRootAfterwards() throws Exception {
        Map<String, String> received = new ConcurrentHashMap<>();
        AtomicReference<NettyClient> lazy = new AtomicReference<>();
        CountDownLatch poll = new CountDownLatch(1);
        CountDownLatch polled = new CountDownLatch(1);
        try (NettyServer backService = back(received)) {
            try (NettyServer server = new NettyServer(1, (ctx, request) -> {
                String path = request.uri();
                if (path.equals("/first")) {
                    NettyClient client = new NettyClient(1); // the client's loop starts in this request
                    lazy.set(client);
                    Thread poller = new Thread(() -> {
                        try {
                            poll.await();
                            lazy.get().call(NettyClient.request("GET", backService.url("/back/poller"), List.of(),
                                    null));
                        } catch (Exception e) {
                            received.put("/back/poller", "failed " + e);
                        } finally {
                            polled.countDown();
                        }
                    }, "poller");
                    poller.setDaemon(true);
                    poller.start();
                    request.retain();
                    client.send(NettyClient.request("GET", backService.url("/back/first"), List.of(), null))
                            .whenComplete((r, e) -> ctx.executor().execute(() -> {
                                NettyServer.respond(ctx, request, 200, String.valueOf(Context.current()));
                                request.release();
                            }));
                } else {
                    request.retain();
                    lazy.get().send(NettyClient.request("GET", backService.url("/back" + path), List.of(), null))
                            .whenComplete((r, e) -> ctx.executor().execute(() -> {
                                NettyServer.respond(ctx, request, 200, String.valueOf(Context.current()));
                                request.release();
                            }));
                }
            })) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String first = "Root=" + root(1);
                String firstContext = get(http, server.url("/first"), first);
                Trace.assertForwarded("Self={NEW};" + first, null, firstContext);
                Trace.assertForwarded("Self={NEW};" + first, firstContext, received.get("/back/first"));
                NettyClient client = lazy.get();
                try {
                    assertNothingOn(client.group);
                    // a call from the lazily started loop, for no request
                    HttpClientAdapter.Response none = client.group.next().submit(() -> {
                        return client.send(NettyClient.request("GET", backService.url("/back/from-loop"), List.of(),
                                null));
                    }).get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
                    assertEquals(200, none.status);
                    // another request's call, through the same client
                    String second = "Root=" + root(2);
                    String secondContext = get(http, server.url("/second"), second);
                    Trace.assertForwarded("Self={NEW};" + second, null, secondContext);
                    // the poller, after the first request is over
                    poll.countDown();
                    assertTrue(polled.await(30, TimeUnit.SECONDS));
                    Trace.assertForwarded("Root={NEW}", first, received.get("/back/from-loop"));
                    Trace.assertForwarded("Self={NEW};" + second, secondContext, received.get("/back/second"));
                    Trace.assertForwarded("Root={NEW}", first, received.get("/back/poller"));
                    for (String header : received.values()) {
                        if (!header.contains(root(1))) {
                            continue;
                        }
                        assertEquals(received.get("/back/first"), header, "only the first request's call: " + received);
                    }
                    assertNothingOn(client.group);
                    assertNothingOn(server.workers);
                } finally {
                    client.close();
                }
            }
        }
    }

    /**
     * Three requests with their own Roots written at once on one connection (pipelined), then a fourth on the same
     * connection (kept alive): each is answered with its own context, in order.
     */
    @Test
    void pipelinedAndKeptAliveRequestsEachGetTheirOwnContext() throws Exception {
        try (NettyServer server = new NettyServer(1, (ctx, request) ->
                NettyServer.respond(ctx, request, 200, String.valueOf(Context.current())));
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder three = new StringBuilder();
            for (int i = 1; i <= 3; i++) {
                three.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: x\r\n")
                        .append(Trace.NAME).append(": Root=").append(root(10 + i)).append("\r\n\r\n");
            }
            out.write(three.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            for (int i = 1; i <= 3; i++) {
                assertEquals("Root=" + root(10 + i), readBody(in));
            }
            out.write(("POST /p4 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n" + Trace.NAME + ": Root=" + root(14)
                    + "\r\n\r\nbody").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("Root=" + root(14), readBody(in));
            out.write("GET /p5 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String fifth = readBody(in);
            Trace.assertForwarded("Root={NEW}", "Root=" + root(14), fifth);
            assertNotEquals("Root=" + root(14), fifth);
            assertNothingOn(server.workers);
        }
    }

    private static String get(HttpClient http, String url, String header) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header(Trace.NAME, header).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Reads one response with a Content-Length; returns its body. */
    static String readBody(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException(head.toString());
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Every loop of {@code group} holds no context and no MDC. */
    static void assertNothingOn(io.netty.channel.EventLoopGroup group) throws Exception {
        assertEquals(Set.of("null | null | null"), Set.copyOf(NettyServer.threadsOf(group)));
        assertNull(Context.current());
    }
}

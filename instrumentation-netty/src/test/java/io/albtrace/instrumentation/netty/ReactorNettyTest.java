package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.core.Context;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty as a service is written: an {@code HttpServer} whose handler calls another service with Reactor
 * Netty's {@code HttpClient} and answers when that call is done (nothing blocks an event loop), over HTTP/1.1, h2c
 * and h2 over TLS (ALPN) (HTTP/2 streams, many on one connection). Requests with distinct Roots are in flight together on 2 event loops; each
 * handler sees its own request's context, each call it makes forwards that context's Root with a new Self, and
 * nothing is left on the loops afterwards.
 */
@ExtendWith(InstalledAgent.class)
class ReactorNettyTest {

    private static String root(int i) {
        return String.format("1-%08x-%024x", 0x70000000 + i, i);
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP11", "H2C", "H2"})
    void eachRequestsCallFromItsHandlerForwardsItsOwnRoot(HttpProtocol protocol) throws Exception {
        int n = 200;
        Map<String, String> received = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(n);
        LoopResources serverLoops = LoopResources.create("svc-server", 2, true);
        LoopResources clientLoops = LoopResources.create("svc-client", 2, true);
        ConnectionProvider pool = ConnectionProvider.create("svc", 500);
        String scheme = protocol == HttpProtocol.H2 ? "https" : "http";
        DisposableServer back = secure(HttpServer.create(), protocol).host("127.0.0.1").port(0).runOn(serverLoops)
                .protocol(protocol).handle((request, response) -> {
                    received.put(request.uri(), String.valueOf(request.requestHeaders().get(Trace.NAME)));
                    return response.sendString(Mono.just("ok"));
                }).bindNow();
        HttpClient client = secure(HttpClient.create(pool), protocol).runOn(clientLoops).protocol(protocol);
        DisposableServer server = secure(HttpServer.create(), protocol).host("127.0.0.1").port(0).runOn(serverLoops)
                .protocol(protocol).handle((request, response) -> {
                    String seen = String.valueOf(Context.current());
                    all.countDown();
                    // the handler's call, subscribed when the handler's publisher is: in the request's context
                    Mono<String> call = client.get().uri(scheme + "://127.0.0.1:" + back.port() + "/back" + request.uri())
                            .responseContent().aggregate().asString()
                            .map(body -> seen);
                    return response.sendString(Mono.fromFuture(() -> java.util.concurrent.CompletableFuture
                            .runAsync(() -> awaitQuietly(all))).then(call));
                }).bindNow();
        try {
            HttpClient front = secure(HttpClient.create(ConnectionProvider.create("front", 500)), protocol)
                    .protocol(protocol);
            List<String> bodies = Flux.range(0, n)
                    .flatMap(i -> front.headers(h -> h.set(Trace.NAME, "Root=" + root(i) + ";N=" + i))
                            .get().uri(scheme + "://127.0.0.1:" + server.port() + "/r" + i)
                            .responseContent().aggregate().asString(), n)
                    .collectList().block(Duration.ofSeconds(60));
            assertEquals(n, bodies.size());
            Map<String, String> byN = new ConcurrentHashMap<>();
            for (String body : bodies) {
                byN.put(body.substring(body.lastIndexOf(";N=") + 3), body);
            }
            for (int i = 0; i < n; i++) {
                String forwarded = received.get("/back/r" + i);
                String context = byN.get(String.valueOf(i));
                // the server's context is the front client's forwarded header: a Self of its own, the Root, N
                Trace.assertForwarded("Self={NEW};Root=" + root(i) + ";N=" + i, null, context);
                Trace.assertForwarded("Self={NEW};Root=" + root(i) + ";N=" + i, context, forwarded);
            }
            EventLoopTest.assertNothingOn(serverLoops.onServer(false));
            EventLoopTest.assertNothingOn(clientLoops.onClient(false));
        } finally {
            server.disposeNow();
            back.disposeNow();
            pool.disposeLater().block();
            serverLoops.disposeLater().block();
            clientLoops.disposeLater().block();
        }
    }

    /**
     * The hop log (SPEC 8) of {@code HttpClient} calls in flight together, each subscribed in its own context (a
     * distinct Root and Self), over HTTP/1.1, h2c and h2 over TLS (many streams on one connection): one {@code out}
     * line each, with its own method, URL, header and final status; none mixes with another's.
     */
    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP11", "H2C", "H2"})
    void concurrentCallsGetOneOutLineEachWithTheirOwnStatus(HttpProtocol protocol) throws Exception {
        int n = 12;
        Map<String, String> received = new ConcurrentHashMap<>();
        CountDownLatch allIn = new CountDownLatch(n);
        LoopResources loops = LoopResources.create("hop-server", 1, true);
        LoopResources clientLoops = LoopResources.create("hop-client", 1, true);
        ConnectionProvider pool = ConnectionProvider.create("hop", 50);
        String scheme = protocol == HttpProtocol.H2 ? "https" : "http";
        DisposableServer back = secure(HttpServer.create(), protocol).host("127.0.0.1").port(0).runOn(loops)
                .protocol(protocol).handle((request, response) -> {
                    String path = request.uri().substring(0, request.uri().indexOf('?'));
                    received.put(path, String.valueOf(request.requestHeaders().get(Trace.NAME)));
                    allIn.countDown();
                    int i = Integer.parseInt(path.substring(2));
                    // answered once all are in: every call is in flight together
                    return response.status(200 + i % 4).sendString(Mono.fromFuture(() -> java.util.concurrent
                            .CompletableFuture.supplyAsync(() -> {
                                awaitQuietly(allIn);
                                return "ok";
                            })));
                }).bindNow();
        HttpClient client = secure(HttpClient.create(pool), protocol).runOn(clientLoops).protocol(protocol);
        try {
            List<String> contexts = new java.util.ArrayList<>();
            List<String> lines = io.albtrace.contracts.ServerEntryContract.withHopLog(NettyHopLogTest.SERVICE, () -> {
                List<java.util.concurrent.CompletableFuture<Integer>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String context = "Root=" + root(i) + ";Self=" + root(500 + i);
                    contexts.add(context);
                    try (io.albtrace.core.Scope s = Context.bind(context)) {
                        calls.add(client.request(io.netty.handler.codec.http.HttpMethod.valueOf(
                                        i % 2 == 0 ? "GET" : "DELETE"))
                                .uri(scheme + "://127.0.0.1:" + back.port() + "/s" + i + "?q=" + i)
                                .responseSingle((r, body) -> body.asString().defaultIfEmpty("")
                                        .map(b -> r.status().code())).toFuture());
                    }
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(200 + i % 4, calls.get(i).get(30, TimeUnit.SECONDS));
                }
            }, file -> io.albtrace.contracts.ServerEntryContract.hopLines(file, n, "out", l -> true));
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String trace = received.get("/s" + i);
                Trace.assertForwarded("Root=" + root(i) + ";Self={NEW}", contexts.get(i), trace);
                expected.add(NettyHopLogTest.line(trace, root(500 + i), i % 2 == 0 ? "GET" : "DELETE",
                        "127.0.0.1:" + back.port(), "/s" + i, 200 + i % 4));
            }
            List<String> sorted = new java.util.ArrayList<>(lines);
            sorted.sort(java.util.Comparator.comparingInt(l -> {
                int at = l.indexOf("\"path\":\"/s") + 10;
                return Integer.parseInt(l.substring(at, l.indexOf('"', at)));
            }));
            assertEquals(expected, sorted);
            EventLoopTest.assertNothingOn(clientLoops.onClient(false));
        } finally {
            back.disposeNow();
            pool.disposeLater().block();
            loops.disposeLater().block();
            clientLoops.disposeLater().block();
        }
    }

    /**
     * A call redirected to where nothing answers (a refused connection) fails: its one {@code out} line has the first
     * request's path and header and no status (the redirect's {@code 302} is not the call's outcome).
     */
    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP11", "H2C"})
    void aCallRedirectedToNowhereHasOneLineWithoutStatus(HttpProtocol protocol) throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Map<String, String> received = new ConcurrentHashMap<>();
        LoopResources loops = LoopResources.create("redirect-server", 1, true);
        DisposableServer back = HttpServer.create().host("127.0.0.1").port(0).runOn(loops).protocol(protocol)
                .handle((request, response) -> {
                    received.put(request.uri(), String.valueOf(request.requestHeaders().get(Trace.NAME)));
                    return response.status(302).header("Location", "http://127.0.0.1:" + closed + "/gone").send();
                }).bindNow();
        ConnectionProvider pool = ConnectionProvider.create("redirect", 10);
        HttpClient client = HttpClient.create(pool).protocol(protocol).followRedirect(true);
        String context = "Root=" + root(900) + ";Self=" + root(901);
        try {
            List<String> lines = io.albtrace.contracts.ServerEntryContract.withHopLog(NettyHopLogTest.SERVICE, () -> {
                java.util.concurrent.CompletableFuture<Integer> call;
                try (io.albtrace.core.Scope s = Context.bind(context)) {
                    call = client.get().uri("http://127.0.0.1:" + back.port() + "/from?x=1")
                            .responseSingle((r, body) -> Mono.just(r.status().code())).toFuture();
                }
                try {
                    call.get(30, TimeUnit.SECONDS);
                    throw new AssertionError("the redirect's connection was refused, yet a response came");
                } catch (java.util.concurrent.ExecutionException refused) {
                    // expected
                }
            }, file -> io.albtrace.contracts.ServerEntryContract.hopLines(file, 1, "out", l -> true));
            String trace = received.get("/from?x=1");
            Trace.assertForwarded("Root=" + root(900) + ";Self={NEW}", context, trace);
            String withStatus = NettyHopLogTest.line(trace, root(901), "GET", "127.0.0.1:" + back.port(), "/from", 0);
            assertEquals(List.of(withStatus.replace(",\"status\":0", "")), lines);
        } finally {
            back.disposeNow();
            pool.disposeLater().block();
            loops.disposeLater().block();
        }
    }

    /**
     * Three requests with their own Roots written at once on one connection: Reactor Netty holds the second and the
     * third back until the one before is answered, then hands them to the handler from the earlier response's
     * completion. Each handler still sees its own request's context, never the one before.
     */
    @org.junit.jupiter.api.Test
    void pipelinedRequestsHeldBackByReactorNettyEachGetTheirOwnContext() throws Exception {
        LoopResources loops = LoopResources.create("pipelined", 1, true);
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).runOn(loops)
                .handle((request, response) -> {
                    // answered later: the next requests arrive while this one is pending, and are held back
                    String seen = String.valueOf(Context.current());
                    return response.header("Content-Length", String.valueOf(seen.length()))
                            .sendString(Mono.delay(Duration.ofMillis(100)).map(x -> seen));
                })
                .bindNow();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder three = new StringBuilder();
            for (int i = 1; i <= 3; i++) {
                three.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: x\r\n")
                        .append(Trace.NAME).append(": Root=").append(root(100 + i)).append("\r\n\r\n");
            }
            socket.getOutputStream().write(three.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            for (int i = 1; i <= 3; i++) {
                assertEquals("Root=" + root(100 + i), EventLoopTest.readBody(socket.getInputStream()));
            }
            EventLoopTest.assertNothingOn(loops.onServer(false));
        } finally {
            server.disposeNow();
            loops.disposeLater().block();
        }
    }

    /** For h2: the server over TLS with the tests' self-signed certificate, HTTP/2 chosen by ALPN. */
    private static HttpServer secure(HttpServer server, HttpProtocol protocol) throws Exception {
        if (protocol != HttpProtocol.H2) {
            return server;
        }
        javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(SelfSignedTls.get().keyStore, SelfSignedTls.PASSWORD.toCharArray());
        return server.secure(spec -> spec.sslContext(Http2SslContextSpec.forServer(keys)));
    }

    /** For h2: the client trusting the tests' self-signed certificate, HTTP/2 chosen by ALPN. */
    private static HttpClient secure(HttpClient client, HttpProtocol protocol) throws Exception {
        if (protocol != HttpProtocol.H2) {
            return client;
        }
        javax.net.ssl.X509TrustManager trust = SelfSignedTls.get().trust;
        return client.secure(spec -> spec.sslContext(Http2SslContextSpec.forClient()
                .configure(builder -> builder.trustManager(trust))));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

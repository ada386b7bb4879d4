package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.albtrace.testing.Vectors;
import io.albtrace.testing.WebSocketUpgradeServer;
import java.io.IOException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code java.net.http.HttpClient} over HTTP/1.1 (plain and TLS) to the JDK's server, with the agent installed. */
@ExtendWith(InstalledAgent.class)
class JdkHttpClientTest {

    RecordingServer server;
    HttpClient client;

    @BeforeEach
    void start() throws IOException {
        server = new RecordingServer();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static List<Arguments> vectors() throws IOException {
        return Vectors.rows();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url(path)));
    }

    String send(HttpRequest request) throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void forwardsTheVector(String name, String input, String expected) throws Exception {
        assertNull(Context.current());
        HttpRequest.Builder b = request("/vector/" + name);
        if (input != null) {
            b.header(Trace.NAME, input);
        }
        HttpRequest request = b.build();
        assertEquals("ok", send(request));
        Trace.assertForwarded(expected, input, server.only().traceHeader());
        // the application's request is immutable and stays as it was built
        assertEquals(input == null ? List.of() : List.of(input.trim()), request.headers().allValues(Trace.NAME));
    }

    @Test
    void theContextIsForwardedAndEachCallHasItsOwnSelf() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/a").build());
            send(request("/b").build());
        }
        List<RecordingServer.Received> r = server.received();
        String self1 = Trace.self(r.get(0).traceHeader(), Trace.CONTEXT);
        String self2 = Trace.self(r.get(1).traceHeader(), Trace.CONTEXT);
        assertNotEquals(self1, self2);
    }

    @Test
    void theApplicationsOwnHeaderWinsOverTheContext() throws Exception {
        String own = "Root=1-5759e988-bd862e3fe1be46a994272793;Mine=1";
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/own").header(Trace.NAME, own).build());
        }
        Trace.self(server.only().traceHeader(), own);
    }

    @Test
    void severalCopiesLeaveAsOneAndTheFirstCounts() throws Exception {
        String first = "Root=" + Trace.ROOT + ";CalledFrom=first";
        send(request("/dup").header(Trace.NAME, first)
                .header("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second").build());
        Trace.self(server.only().traceHeader(), first);
    }

    @Test
    void sendAsyncForwardsTheCallersContext() throws Exception {
        CompletableFuture<HttpResponse<String>> future;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            future = client.sendAsync(request("/async").build(), HttpResponse.BodyHandlers.ofString());
        }
        // the caller's context is gone before the client's threads write the request
        assertEquals(200, future.get(30, TimeUnit.SECONDS).statusCode());
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void aRedirectKeepsTheValueOfTheRequestItFollows() throws Exception {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/from").build());
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        assertEquals("/to", r.get(1).path);
        Trace.self(r.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader(), "the redirect is not forwarded a second time");
    }

    @Test
    void withoutAContextARedirectKeepsTheNewRoot() throws Exception {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        send(request("/from").build());
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        Trace.assertForwarded("Root={NEW}", null, r.get(0).traceHeader());
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader(), "the redirect is not forwarded a second time");
    }

    @Test
    void aRedirectKeepsTheApplicationsForwardedHeader() throws Exception {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(307, -1);
        });
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/from").header(Trace.NAME, own).build());
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        Trace.self(r.get(0).traceHeader(), own);
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader(), "the redirect is not forwarded a second time");
    }

    @Test
    void aRedirectToAnotherOriginKeepsTheValue() throws Exception {
        try (RecordingServer other = new RecordingServer()) {
            server.answer("/from", (exchange, count) -> {
                exchange.getResponseHeaders().set("Location", other.url("/elsewhere"));
                exchange.sendResponseHeaders(302, -1);
            });
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                send(request("/from").build());
            }
            String first = server.only().traceHeader();
            Trace.self(first, Trace.CONTEXT);
            assertEquals(first, other.only().traceHeader(), "the redirect is not forwarded a second time");
        }
    }

    @Test
    void anAuthenticationRetryKeepsTheValue() throws Exception {
        server.answer("/auth", (exchange, count) -> {
            if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"albtrace\"");
                exchange.sendResponseHeaders(401, -1);
            } else {
                RecordingServer.ok(exchange, "ok");
            }
        });
        HttpClient withAuth = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication("user", "secret".toCharArray());
                    }
                }).build();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, withAuth.send(request("/auth").build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        assertNotNull(r.get(1).header("Authorization"), r.toString());
        Trace.self(r.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader(), "the retry is not forwarded a second time");
    }

    @Test
    void theSameRequestSentTwiceGetsTwoSelves() throws Exception {
        // the value is kept with the client's internal copy, not with the application's request
        HttpRequest request = request("/again").build();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request);
            send(request);
        }
        List<RecordingServer.Received> r = server.received();
        assertNotEquals(Trace.self(r.get(0).traceHeader(), Trace.CONTEXT),
                Trace.self(r.get(1).traceHeader(), Trace.CONTEXT));
    }

    @Test
    void sizeRuleAtTheBoundCountsTheClientsOwnHeaders() throws Exception {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        // a probe tells how many bytes the request's headers take besides the filler
        send(request("/probe").header(Trace.NAME, own).header("X-Filler", "x").build());
        int probe = server.received().get(0).headerBytes();
        int atBound = 1 + (7168 - probe);
        send(request("/at").header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound)).build());
        send(request("/over").header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound + 1)).build());
        List<RecordingServer.Received> r = server.received();
        assertEquals(7168, r.get(1).headerBytes(), "the filler brings the headers exactly to the bound");
        Trace.self(r.get(1).traceHeader(), own);
        Trace.assertForwarded("Root=" + Trace.ROOT, own, r.get(2).traceHeader());
    }

    @Test
    void sizeRuleAtTheBoundOnTheForwardedContext() throws Exception {
        // no header of the application's: the value the agent keeps with the client's own headers
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/probe").header("X-Filler", "x").build());
            int atBound = 1 + (7168 - server.received().get(0).headerBytes());
            send(request("/at").header("X-Filler", "x".repeat(atBound)).build());
            send(request("/over").header("X-Filler", "x".repeat(atBound + 1)).build());
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(7168, r.get(1).headerBytes(), "the filler brings the headers exactly to the bound");
        Trace.self(r.get(1).traceHeader(), Trace.CONTEXT);
        Trace.assertForwarded("Root=" + Trace.ROOT, Trace.CONTEXT, r.get(2).traceHeader());
    }

    @Test
    void overTheBoundWithoutAValidRootANewRootAlone() throws Exception {
        send(request("/big").header(Trace.NAME, "Root=bad;CalledFrom=app").header("X-Filler", "y".repeat(8000))
                .build());
        Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
    }

    @Test
    void https() throws Exception {
        try (RecordingServer tls = new RecordingServer(SelfSignedTls.get().context)) {
            HttpClient c = HttpClient.newBuilder().sslContext(SelfSignedTls.get().context).build();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                HttpResponse<String> response = c.send(HttpRequest.newBuilder(URI.create(tls.url("/tls"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
            }
            assertTrue(tls.url("/").startsWith("https:"));
            Trace.self(tls.only().traceHeader(), Trace.CONTEXT);
        }
    }

    @Test
    void theWebSocketOpeningHandshakeIsForwarded() throws Exception {
        try (WebSocketUpgradeServer ws = new WebSocketUpgradeServer()) {
            WebSocket socket;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                socket = client.newWebSocketBuilder().header("X-Other", "1")
                        .buildAsync(URI.create(ws.url().replace("http:", "ws:")), new WebSocket.Listener() { })
                        .get(30, TimeUnit.SECONDS);
            }
            try {
                List<String> trace = ws.firstTraceHeaders();
                assertEquals(1, trace.size(), trace.toString());
                Trace.self(trace.get(0), Trace.CONTEXT);
            } finally {
                socket.abort();
            }
        }
    }

    @Test
    void theWebSocketsOwnHeaderWins() throws Exception {
        String own = "Root=" + Trace.ROOT + ";Ws=1";
        try (WebSocketUpgradeServer ws = new WebSocketUpgradeServer()) {
            WebSocket socket = client.newWebSocketBuilder().header(Trace.NAME, own)
                    .buildAsync(URI.create(ws.url().replace("http:", "ws:")), new WebSocket.Listener() { })
                    .get(30, TimeUnit.SECONDS);
            try {
                List<String> trace = ws.firstTraceHeaders();
                assertEquals(1, trace.size(), trace.toString());
                Trace.self(trace.get(0), own);
            } finally {
                socket.abort();
            }
        }
    }
}

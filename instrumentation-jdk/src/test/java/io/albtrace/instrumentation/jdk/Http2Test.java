package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK client over HTTP/2 to Jetty 12 (h2c: the client's first request on a connection asks for the upgrade,
 * the following ones are HTTP/2 streams, written through {@code Stream.headerFrame}).
 */
@ExtendWith(InstalledAgent.class)
class Http2Test {

    /** One request as Jetty received it. */
    static final class Seen {
        final String version;
        final List<String> trace = new ArrayList<>();

        Seen(String version) {
            this.version = version;
        }
    }

    static Server jetty;
    static int port;
    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
    HttpClient client;

    @BeforeAll
    static void startJetty() throws Exception {
        jetty = new Server();
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Seen seen = new Seen(request.getConnectionMetaData().getHttpVersion().asString());
                for (HttpField f : request.getHeaders()) {
                    if (f.getName().equalsIgnoreCase(Trace.NAME)) {
                        seen.trace.add(f.getValue());
                    }
                }
                SEEN.add(seen);
                response.setStatus(200);
                Content.Sink.write(response, true, "ok", callback);
                return true;
            }
        });
        jetty.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stopJetty() throws Exception {
        jetty.stop();
    }

    @BeforeEach
    void client() throws Exception {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        send(HttpRequest.newBuilder(uri("/upgrade")).build()); // the connection's h2c upgrade
        SEEN.clear();
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    void send(HttpRequest request) throws Exception {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    static String only() {
        assertEquals(1, SEEN.size());
        Seen s = SEEN.get(0);
        assertEquals("HTTP/2.0", s.version, "the request came as an HTTP/2 stream");
        assertEquals(1, s.trace.size(), s.trace.toString());
        return s.trace.get(0);
    }

    @Test
    void theContextIsForwardedOverHttp2() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(HttpRequest.newBuilder(uri("/ctx")).build());
        }
        Trace.self(only(), Trace.CONTEXT);
    }

    @Test
    void sendAsyncOverHttp2() throws Exception {
        java.util.concurrent.CompletableFuture<HttpResponse<String>> f;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            f = client.sendAsync(HttpRequest.newBuilder(uri("/async")).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(HttpClient.Version.HTTP_2, f.get(30, TimeUnit.SECONDS).version());
        Trace.self(only(), Trace.CONTEXT);
    }

    @Test
    void twoCopiesLeaveAsOneOverHttp2() throws Exception {
        String first = "Root=" + Trace.ROOT + ";CalledFrom=first";
        send(HttpRequest.newBuilder(uri("/dup")).header(Trace.NAME, first).header(Trace.NAME, "Root=x").build());
        Trace.self(only(), first);
    }

    @Test
    void invalidRootOverHttp2() throws Exception {
        send(HttpRequest.newBuilder(uri("/bad")).header(Trace.NAME, "Root=garbage;CalledFrom=app").build());
        Trace.assertForwarded("Root={NEW};CalledFrom=app", null, only());
    }

    @Test
    void sizeRuleOverHttp2() throws Exception {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        send(HttpRequest.newBuilder(uri("/under")).header(Trace.NAME, own).header("X-Filler", "u".repeat(6000))
                .build());
        Trace.self(only(), own);
        SEEN.clear();
        send(HttpRequest.newBuilder(uri("/over")).header(Trace.NAME, own).header("X-Filler", "o".repeat(7100))
                .build());
        Trace.assertForwarded("Root=" + Trace.ROOT, own, only());
    }

    @Test
    void eachStreamHasItsOwnSelf() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(HttpRequest.newBuilder(uri("/1")).build());
            send(HttpRequest.newBuilder(uri("/2")).build());
        }
        assertEquals(2, SEEN.size());
        assertNotEquals(Trace.self(SEEN.get(0).trace.get(0), Trace.CONTEXT),
                Trace.self(SEEN.get(1).trace.get(0), Trace.CONTEXT));
    }
}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK client over HTTP/2 on TLS to Jetty 12: {@code h2} chosen in the TLS handshake by ALPN (Jetty's
 * {@code jetty-alpn-java-server}, the JDK's own ALPN), with the self-signed certificate of {@link Tls}. Every
 * request is an HTTP/2 stream from the first (no h2c upgrade), its headers written through
 * {@code Stream.headerFrame}.
 */
@ExtendWith(InstalledAgent.class)
class Http2TlsTest {

    /** One request as Jetty received it. */
    static final class Seen {
        final String version;
        final boolean secure;
        final List<String> trace = new ArrayList<>();
        /** All request headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        int headerBytes;

        Seen(String version, boolean secure) {
            this.version = version;
            this.secure = secure;
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
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(Tls.context());
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, alpn.getProtocol()),
                alpn, new HTTP2ServerConnectionFactory(config), new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Seen seen = new Seen(request.getConnectionMetaData().getHttpVersion().asString(),
                        request.getConnectionMetaData().isSecure());
                for (HttpField f : request.getHeaders()) {
                    seen.headerBytes += f.getName().length() + f.getValue().length() + 4;
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
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(Tls.context()).build();
        SEEN.clear();
    }

    static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    static void send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    void send(HttpRequest request) throws Exception {
        send(client, request);
    }

    static Seen onlySeen() {
        assertEquals(1, SEEN.size());
        Seen s = SEEN.get(0);
        assertEquals("HTTP/2.0", s.version, "the request came as an HTTP/2 stream");
        assertTrue(s.secure, "the request came over TLS");
        return s;
    }

    static String only() {
        Seen s = onlySeen();
        assertEquals(1, s.trace.size(), s.trace.toString());
        return s.trace.get(0);
    }

    @Test
    void withoutContextANewRoot() throws Exception {
        send(HttpRequest.newBuilder(uri("/none")).build());
        Trace.assertForwarded("Root={NEW}", null, only());
    }

    @Test
    void theContextIsForwardedWithItsCustomField() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(HttpRequest.newBuilder(uri("/ctx")).build());
        }
        Trace.self(only(), Trace.CONTEXT);
    }

    @Test
    void theApplicationsOwnHeaderWinsOverTheContext() throws Exception {
        String own = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";Mine=1";
        try (Scope s = Context.bind("Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=ctx")) {
            send(HttpRequest.newBuilder(uri("/own")).header(Trace.NAME, own).build());
        }
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";Mine=1", own, only());
    }

    @Test
    void twoCopiesLeaveAsOne() throws Exception {
        String first = "Root=" + Trace.ROOT + ";CalledFrom=first";
        send(HttpRequest.newBuilder(uri("/dup")).header(Trace.NAME, first)
                .header("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793").build());
        Trace.self(only(), first);
    }

    @Test
    void sendAsyncForwardsTheCallersContext() throws Exception {
        CompletableFuture<HttpResponse<String>> f;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            f = client.sendAsync(HttpRequest.newBuilder(uri("/async")).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(HttpClient.Version.HTTP_2, f.get(30, TimeUnit.SECONDS).version());
        Trace.self(only(), Trace.CONTEXT);
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

    @Test
    void sizeRuleAtTheBoundCountsTheClientsOwnHeaders() throws Exception {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        // a probe tells how many bytes the request's headers take besides the filler (pseudo-headers not counted)
        send(HttpRequest.newBuilder(uri("/probe")).header(Trace.NAME, own).header("X-Filler", "x").build());
        int atBound = 1 + (7168 - onlySeen().headerBytes);
        SEEN.clear();
        send(HttpRequest.newBuilder(uri("/at")).header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound))
                .build());
        assertEquals(7168, onlySeen().headerBytes, "the filler brings the headers exactly to the bound");
        Trace.self(only(), own);
        SEEN.clear();
        send(HttpRequest.newBuilder(uri("/over")).header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound + 1))
                .build());
        Trace.assertForwarded("Root=" + Trace.ROOT, own, only());
    }

    @Test
    void throughAConnectProxyTheTunnelCarriesNoneAndTheStreamOne() throws Exception {
        try (ConnectProxy proxy = new ConnectProxy()) {
            HttpClient viaProxy = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .proxy(ProxySelector.of(proxy.address())).sslContext(Tls.context()).build();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                send(viaProxy, HttpRequest.newBuilder(uri("/tunnel")).build());
            }
            Trace.self(only(), Trace.CONTEXT);
            ConnectProxy.Head connect = proxy.only();
            assertEquals("CONNECT", connect.method(), connect.toString());
            assertEquals("127.0.0.1:" + port, connect.target());
            assertEquals(List.of(), connect.traceHeaders(), connect.toString());
        }
    }
}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both JDK clients through an HTTP forward proxy ({@link RawHttpServer}). For {@code https:} the client opens a
 * tunnel with {@code CONNECT}: that request is the client's, not the application's, and carries no trace header;
 * the request that reaches the origin through the tunnel carries exactly one, per SPEC 3 and 5. For {@code http:}
 * the application's request goes to the proxy in absolute form and is forwarded: exactly one header, the same one
 * at the proxy and at the origin.
 */
@ExtendWith(InstalledAgent.class)
class ProxyTest {

    static final String OWN = "Root=1-5759e988-bd862e3fe1be46a994272793;Mine=1";

    RecordingServer tls;
    RecordingServer plain;
    RawHttpServer proxy;

    @BeforeEach
    void start() throws Exception {
        tls = new RecordingServer(SelfSignedTls.get().context);
        plain = new RecordingServer();
        proxy = new RawHttpServer();
    }

    @AfterEach
    void stop() {
        proxy.close();
        plain.close();
        tls.close();
    }

    /** The proxy saw exactly one request, the tunnel to {@code origin}, and it carried no trace header. */
    void assertOneCleanConnect(RecordingServer origin) {
        RawHttpServer.Head connect = proxy.only();
        assertEquals("CONNECT", connect.method(), connect.toString());
        assertEquals(URI.create(origin.url("/")).getAuthority(), connect.target());
        assertTrue(connect.headers().stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Host")),
                "the proxy read the CONNECT's headers: " + connect);
        assertEquals(List.of(), connect.traceHeaders(), "the CONNECT request carries no trace header: " + connect);
    }

    /** The proxy saw exactly one request, the application's in absolute form, with exactly the origin's header. */
    void assertForwardedAsReceived(String path) {
        RawHttpServer.Head get = proxy.only();
        assertEquals("GET", get.method(), get.toString());
        assertEquals(plain.url(path), get.target());
        assertEquals(plain.only().traceHeaders(), get.traceHeaders());
    }

    // ---- HttpURLConnection, the proxy passed to openConnection ----

    HttpURLConnection open(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection(
                new Proxy(Proxy.Type.HTTP, proxy.address()));
        c.setUseCaches(false);
        if (c instanceof HttpsURLConnection) {
            try {
                ((HttpsURLConnection) c).setSSLSocketFactory(SelfSignedTls.get().context.getSocketFactory());
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        return c;
    }

    static String body(HttpURLConnection c) throws IOException {
        assertEquals(200, c.getResponseCode());
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void urlConnectionHttpsThroughConnectForwardsTheContextToTheOriginOnly() throws IOException {
        HttpURLConnection c = open(tls.url("/tunnel"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", body(c));
        }
        assertTrue(c.usingProxy());
        Trace.self(tls.only().traceHeader(), Trace.CONTEXT);
        assertOneCleanConnect(tls);
    }

    @Test
    void urlConnectionHttpsThroughConnectWithoutContext() throws IOException {
        assertEquals("ok", body(open(tls.url("/tunnel"))));
        Trace.assertForwarded("Root={NEW}", null, tls.only().traceHeader());
        assertOneCleanConnect(tls);
    }

    @Test
    void urlConnectionHttpsThroughConnectTheApplicationsHeaderWinsAndStaysOffTheConnect() throws IOException {
        HttpURLConnection c = open(tls.url("/tunnel"));
        c.addRequestProperty(Trace.NAME, OWN);
        c.addRequestProperty("x-amzn-trace-id", "Root=" + Trace.ROOT + ";CalledFrom=second");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", body(c));
        }
        Trace.self(tls.only().traceHeader(), OWN);
        assertOneCleanConnect(tls);
    }

    @Test
    void urlConnectionPlainHttpThroughTheProxy() throws IOException {
        HttpURLConnection c = open(plain.url("/forwarded"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", body(c));
        }
        assertTrue(c.usingProxy());
        Trace.self(plain.only().traceHeader(), Trace.CONTEXT);
        assertForwardedAsReceived("/forwarded");
    }

    @Test
    void urlConnectionPlainHttpThroughTheProxyWithTheApplicationsHeader() throws IOException {
        HttpURLConnection c = open(plain.url("/forwarded"));
        c.setRequestProperty(Trace.NAME, OWN);
        assertEquals("ok", body(c));
        Trace.self(plain.only().traceHeader(), OWN);
        assertForwardedAsReceived("/forwarded");
    }

    // ---- java.net.http.HttpClient, ProxySelector.of ----

    HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().version(version).proxy(ProxySelector.of(proxy.address()))
                .sslContext(SelfSignedTls.get().context).build();
    }

    static String send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void httpClientHttpsThroughConnectForwardsTheContextToTheOriginOnly() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_1_1);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", send(c, HttpRequest.newBuilder(URI.create(tls.url("/tunnel"))).build()));
        }
        Trace.self(tls.only().traceHeader(), Trace.CONTEXT);
        assertOneCleanConnect(tls);
    }

    @Test
    void httpClientHttpsThroughConnectWithoutContext() throws Exception {
        // the default version, HTTP_2: ALPN inside the tunnel falls back to HTTP/1.1 (the JDK's HttpsServer)
        HttpClient c = client(HttpClient.Version.HTTP_2);
        assertEquals("ok", send(c, HttpRequest.newBuilder(URI.create(tls.url("/tunnel"))).build()));
        Trace.assertForwarded("Root={NEW}", null, tls.only().traceHeader());
        assertOneCleanConnect(tls);
    }

    @Test
    void httpClientHttpsThroughConnectTheApplicationsHeaderWinsAndStaysOffTheConnect() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_1_1);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(c, HttpRequest.newBuilder(URI.create(tls.url("/tunnel"))).header(Trace.NAME, OWN)
                    .header("x-amzn-trace-id", "Root=" + Trace.ROOT + ";CalledFrom=second").build());
        }
        Trace.self(tls.only().traceHeader(), OWN);
        assertOneCleanConnect(tls);
    }

    @Test
    void httpClientSendAsyncThroughConnectForwardsTheCallersContext() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_1_1);
        CompletableFuture<HttpResponse<String>> f;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            f = c.sendAsync(HttpRequest.newBuilder(URI.create(tls.url("/async"))).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
        Trace.self(tls.only().traceHeader(), Trace.CONTEXT);
        assertOneCleanConnect(tls);
    }

    @Test
    void httpClientPlainHttpThroughTheProxy() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_1_1);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", send(c, HttpRequest.newBuilder(URI.create(plain.url("/forwarded"))).build()));
        }
        Trace.self(plain.only().traceHeader(), Trace.CONTEXT);
        assertForwardedAsReceived("/forwarded");
    }

    @Test
    void httpClientPlainHttpThroughTheProxyWithTheApplicationsHeader() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_1_1);
        send(c, HttpRequest.newBuilder(URI.create(plain.url("/forwarded"))).header(Trace.NAME, OWN).build());
        Trace.self(plain.only().traceHeader(), OWN);
        assertForwardedAsReceived("/forwarded");
    }
}

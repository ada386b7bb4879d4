package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS through an HTTP proxy: OkHttp opens a tunnel with {@code CONNECT host:port}, a request of its own to the
 * proxy, not the application's (OkHttp 5 writes it with the same {@code Http1ExchangeCodec.writeRequest} whose
 * advice writes the trace header on the wire), so it carries no trace header; the application's request, sent inside
 * the tunnel, carries exactly one. The proxy ({@link RawHttpServer}) records the {@code CONNECT} as written; the origin
 * ({@link RecordingServer} over TLS) the request inside.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ProxyTunnelTest extends OkHttpTestSupport {

    private RecordingServer origin;
    private RawHttpServer proxy;
    private OkHttpClient viaProxy;

    @BeforeEach
    void startOriginAndProxy() throws Exception {
        SelfSignedTls tls = SelfSignedTls.get();
        origin = new RecordingServer(tls.context);
        proxy = new RawHttpServer();
        viaProxy = new OkHttpClient.Builder()
                .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxy.port())))
                .sslSocketFactory(tls.context.getSocketFactory(), tls.trust)
                .build();
    }

    @AfterEach
    void stopOriginAndProxy() throws Exception {
        try {
            close(viaProxy);
        } finally {
            proxy.close();
            origin.close();
        }
    }

    /** Makes the call (in {@code context} when not null), checks how it is forwarded, and executes it. */
    private void send(String path, String ownHeader, String context) throws Exception {
        Request.Builder request = new Request.Builder().url(origin.url(path));
        if (ownHeader != null) {
            request.header(Trace.NAME, ownHeader);
        }
        Call call;
        try (Scope s = context == null ? null : Context.bind(context)) {
            call = viaProxy.newCall(request.build());
        }
        if (OkHttpLineTest.hasCallTags() && ownHeader == null) {
            assertNull(call.request().header(Trace.NAME), "OkHttp 5.3+: forwarded on the wire, by the codec");
            assertNotNull(CallTags.state(call));
        }
        try (Response response = call.execute()) {
            assertEquals(200, response.code());
            assertEquals("ok", response.body().string());
        }
    }

    /** The one request to the proxy: the tunnel's {@code CONNECT} to the origin, with no trace header. */
    private void assertOneCleanConnect() {
        RawHttpServer.Head connect = proxy.only();
        assertEquals("CONNECT " + URI.create(origin.url("/")).getAuthority() + " HTTP/1.1", connect.requestLine);
        assertEquals(List.of(), connect.traceHeaders(), "the CONNECT request carries no trace header: " + connect);
    }

    @Test
    void theContextGoesToTheOriginAndNotToTheProxy() throws Exception {
        send("/tunneled", null, Trace.CONTEXT);
        assertOneCleanConnect();
        assertEquals("/tunneled", origin.only().path);
        Trace.self(origin.only().traceHeader(), Trace.CONTEXT); // traceHeader(): exactly one copy arrived
    }

    @Test
    void withoutContextTheOriginGetsANewRootAndTheProxyNothing() throws Exception {
        send("/none", null, null);
        assertOneCleanConnect();
        Trace.assertForwarded("Root={NEW}", null, origin.only().traceHeader());
    }

    @Test
    void theApplicationsOwnHeaderGoesToTheOriginOnly() throws Exception {
        String own = "Root=1-8a3c60f7-d188f8fa79d48a391a778fa6;CalledFrom=app";
        send("/own", own, Trace.CONTEXT);
        assertOneCleanConnect();
        Trace.self(origin.only().traceHeader(), own);
    }
}

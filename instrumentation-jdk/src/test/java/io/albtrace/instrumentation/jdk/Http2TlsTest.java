package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDK client over HTTP/2 on TLS to Jetty 12: {@code h2} chosen in the TLS handshake by ALPN, every request an
 * HTTP/2 stream from the first (no h2c upgrade). The tests are {@link Http2Contract}'s, and one through a proxy's
 * {@code CONNECT} tunnel.
 */
class Http2TlsTest extends Http2Contract {

    static H2Jetty server;

    @BeforeAll
    static void startJetty() throws Exception {
        server = new H2Jetty(true);
    }

    @AfterAll
    static void stopJetty() throws Exception {
        server.close();
    }

    @Override
    H2Jetty server() {
        return server;
    }

    @Override
    HttpClient newClient(HttpClient.Builder builder) throws Exception {
        return builder.version(HttpClient.Version.HTTP_2).sslContext(SelfSignedTls.get().context).build();
    }

    @Test
    void throughAConnectProxyTheTunnelCarriesNoneAndTheStreamOne() throws Exception {
        try (RawHttpServer proxy = new RawHttpServer()) {
            HttpClient viaProxy = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .proxy(ProxySelector.of(proxy.address())).sslContext(SelfSignedTls.get().context).build();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                send(viaProxy, get("/tunnel").build());
            }
            Trace.self(server.only(), Trace.CONTEXT);
            RawHttpServer.Head connect = proxy.only();
            assertEquals("CONNECT", connect.method(), connect.toString());
            assertEquals("127.0.0.1:" + server.port(), connect.target());
            assertEquals(List.of(), connect.traceHeaders(), connect.toString());
        }
    }
}

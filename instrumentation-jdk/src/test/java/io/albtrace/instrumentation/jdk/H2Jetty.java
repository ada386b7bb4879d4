package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
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

/**
 * Jetty 12 serving HTTP/2 to the JDK client on 127.0.0.1, either in cleartext (h2c: a connection's first request asks
 * for the upgrade) or over TLS ({@code h2} chosen by ALPN, Jetty's {@code jetty-alpn-java-server} and the JDK's own
 * ALPN, with the self-signed certificate of {@link Tls}); records what each request brought.
 */
final class H2Jetty implements AutoCloseable {

    /** One request as Jetty received it. */
    static final class Seen {
        final String version;
        final boolean secure;
        String path;
        final List<String> trace = new ArrayList<>();
        /** All request headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        int headerBytes;

        Seen(String version, boolean secure) {
            this.version = version;
            this.secure = secure;
        }
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final boolean tls;
    private final Server jetty = new Server();
    private final int port;

    H2Jetty(boolean tls) throws Exception {
        this.tls = tls;
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector;
        if (tls) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(SelfSignedTls.get().context);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                    new HTTP2ServerConnectionFactory(config), new HttpConnectionFactory(config));
        } else {
            connector = new ServerConnector(jetty, new HttpConnectionFactory(config),
                    new HTTP2CServerConnectionFactory(config));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Seen s = new Seen(request.getConnectionMetaData().getHttpVersion().asString(),
                        request.getConnectionMetaData().isSecure());
                for (HttpField f : request.getHeaders()) {
                    s.headerBytes += f.getName().length() + f.getValue().length() + 4;
                    if (f.getName().equalsIgnoreCase(Trace.NAME)) {
                        s.trace.add(f.getValue());
                    }
                }
                s.path = request.getHttpURI().getPath();
                seen.add(s);
                if ("/redirect".equals(s.path)) { // SPEC 3: a redirect the client follows on its own
                    response.setStatus(302);
                    response.getHeaders().put("Location", "/landed");
                    Content.Sink.write(response, true, "", callback);
                    return true;
                }
                if ("/auth".equals(s.path) && request.getHeaders().get("Authorization") == null) {
                    response.setStatus(401);
                    response.getHeaders().put("WWW-Authenticate", "Basic realm=\"albtrace\"");
                    Content.Sink.write(response, true, "", callback);
                    return true;
                }
                response.setStatus(200);
                Content.Sink.write(response, true, "ok", callback);
                return true;
            }
        });
        jetty.start();
        port = connector.getLocalPort();
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port + path);
    }

    /** The one request seen since the last {@code seen.clear()}: an HTTP/2 stream, over TLS when this server is. */
    Seen onlySeen() {
        assertEquals(1, seen.size());
        Seen s = seen.get(0);
        assertEquals("HTTP/2.0", s.version, "the request came as an HTTP/2 stream");
        assertEquals(tls, s.secure, "over TLS exactly when the server is");
        return s;
    }

    /** The one X-Amzn-Trace-Id of the one request seen. */
    String only() {
        Seen s = onlySeen();
        assertEquals(1, s.trace.size(), s.trace.toString());
        return s.trace.get(0);
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}

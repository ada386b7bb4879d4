package io.albtrace.instrumentation.httpclient;

import io.albtrace.testing.SelfSignedTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty 12 on 127.0.0.1, in one of two shapes:
 * <ul>
 *   <li>{@link #h2c()}: only HTTP/2 over clear text with prior knowledge: a client that does not really talk HTTP/2
 *       gets no answer;</li>
 *   <li>{@link #tls()}: only TLS (the {@code SelfSignedTls} certificate), where ALPN chooses HTTP/2 ({@code h2}) for a
 *       client that offers it and HTTP/1.1 otherwise, a client that sends no ALPN included. A clear-text client
 *       gets no answer.</li>
 * </ul>
 * HTTP/2 header names arrive in lower case, as HTTP/2 sends them.
 */
final class JettyServer extends TestServer {

    private final Server server = new Server();
    private final ServerConnector connector;
    private final boolean tls;

    static JettyServer h2c() throws Exception {
        return new JettyServer(false);
    }

    static JettyServer tls() throws Exception {
        return new JettyServer(true);
    }

    private JettyServer(boolean tls) throws Exception {
        this.tls = tls;
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(64 * 1024); // the size-rule tests send more than the default 8 KiB
        if (tls) {
            config.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(SelfSignedTls.get().keyStore);
            ssl.setKeyStorePassword(SelfSignedTls.PASSWORD);
            ssl.setKeyManagerPassword(SelfSignedTls.PASSWORD);
            HttpConnectionFactory http1 = new HttpConnectionFactory(config);
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
            alpn.setDefaultProtocol(http1.getProtocol());
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http1);
        } else {
            connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(config));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.consumeAll(request);
                List<Map.Entry<String, String>> all = new ArrayList<>();
                for (HttpField f : request.getHeaders()) {
                    all.add(Map.entry(f.getName(), f.getValue()));
                }
                Reply reply = record(new Received(request.getHttpURI().getPath(),
                        request.getConnectionMetaData().getProtocol(), request.getConnectionMetaData().isSecure(),
                        all));
                if (reply == null) {
                    response.setStatus(200);
                    Content.Sink.write(response, true, "ok", callback);
                } else {
                    response.setStatus(reply.status);
                    reply.headers.forEach((k, v) -> response.getHeaders().put(k, v));
                    response.write(true, null, callback);
                }
                return true;
            }
        });
        server.start();
    }

    @Override
    int port() {
        return connector.getLocalPort();
    }

    @Override
    String scheme() {
        return tls ? "https" : "http";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

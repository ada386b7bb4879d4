package io.albtrace.instrumentation.httpclient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty 12 on 127.0.0.1 speaking only HTTP/2 over clear text with prior knowledge (h2c): a client that does not
 * really talk HTTP/2 gets no answer. Header names arrive in lower case, as HTTP/2 sends them.
 */
final class H2Server extends TestServer {

    private final Server server = new Server();
    private final ServerConnector connector;

    H2Server() throws Exception {
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(64 * 1024); // the size-rule tests send more than the default 8 KiB
        connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(config));
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
                        request.getConnectionMetaData().getProtocol(), all));
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
    public void close() throws Exception {
        server.stop();
    }
}

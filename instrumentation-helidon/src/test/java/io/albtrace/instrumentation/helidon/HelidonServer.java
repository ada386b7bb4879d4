package io.albtrace.instrumentation.helidon;

import io.albtrace.contracts.ServerEntryContract;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http2.Http2Config;
import java.util.List;

/**
 * A Helidon SE 4 WebServer on 127.0.0.1 (its own virtual threads: one per HTTP/1.1 connection, one per HTTP/2
 * stream), HTTP/1.1 and HTTP/2 (h2c, prior knowledge or upgrade), with one handler for every path. Each HTTP/1.1
 * request's head, as it is read on its connection's thread before it is routed, records what that thread holds then
 * ({@link ServerEntryContract#record} at {@link #CONNECTION_THREAD}): for a request kept alive after another, what the
 * one before left there.
 */
final class HelidonServer implements AutoCloseable {

    static final String CONNECTION_THREAD = "helidon-connection-thread";

    final WebServer server;

    HelidonServer(Handler handler) {
        Http1ConnectionListener beforeEachRequest = new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                ServerEntryContract.record(CONNECTION_THREAD);
            }
        };
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addProtocol(Http1Config.builder().addReceiveListener(beforeEachRequest)
                        .maxHeadersSize(256 * 1024).build()) // the contract sends up to 60 KB of one header
                .addProtocol(Http2Config.create())
                .routing(r -> r.any(handler))
                .build()
                .start();
    }

    /** The contract's application ({@link ServerEntryContract#serve}) for every path. */
    static HelidonServer contract() {
        return new HelidonServer((req, res) -> res.send(ServerEntryContract.serve(req.path().rawPath())));
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** What the connections' threads held before each HTTP/1.1 request since the last forget(). */
    static List<String> threadsNow() {
        return ServerEntryContract.at(CONNECTION_THREAD);
    }

    @Override
    public void close() {
        server.stop();
    }
}

package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's {@code HttpServer.handle} as a server entry point: the whole server entry contract
 * ({@link ServerEntryContract}) over HTTP/1.1, on the Reactor Netty and Netty lines of this run (1.3 on 4.2, and 1.2
 * on 4.1 in the pom's {@code netty-4.1} execution). The handler runs the contract's application on the event loop, as
 * an application's handler does, and sends what it returns. The server's threads are its own event loops.
 */
class ReactorNettyServerContractTest {

    /** A Reactor Netty server of {@code protocols} with loops of its own, answering every path with the contract's application. */
    static ServerEntryAdapter adapter(HttpProtocol... protocols) {
        return () -> {
            // the contract's application blocks its loop, and two requests in flight together must both be accepted:
            // a select loop of its own (by default Reactor Netty accepts on one of the worker loops), 4 workers
            LoopResources loops = LoopResources.create("contract-server", 1, 4, true);
            DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).runOn(loops)
                    .protocol(protocols)
                    .httpRequestDecoder(spec -> spec.maxHeaderSize(1 << 20))
                    .http2Settings(spec -> spec.maxHeaderListSize(1 << 20))
                    .handle((request, response) -> {
                        String path = request.fullPath();
                        try {
                            return response.header("Content-Type", "text/plain")
                                    .sendString(Mono.just(ServerEntryContract.serve(path)));
                        } catch (Exception e) {
                            return response.status(500).sendString(Mono.just(String.valueOf(e)));
                        }
                    })
                    .bindNow();
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return "http://127.0.0.1:" + server.port() + path;
                }

                @Override
                public List<String> threadsNow() throws Exception {
                    return NettyServer.threadsOf(loops.onServer(false));
                }

                @Override
                public void close() {
                    server.disposeNow();
                    loops.disposeLater().block();
                }
            };
        };
    }

    @Nested
    @ExtendWith(InstalledAgent.class)
    class Http11 extends ServerEntryContract {
        @Override
        protected ServerEntryAdapter adapter() {
            return ReactorNettyServerContractTest.adapter(HttpProtocol.HTTP11);
        }
    }
}

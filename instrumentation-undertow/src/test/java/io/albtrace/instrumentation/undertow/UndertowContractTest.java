package io.albtrace.instrumentation.undertow;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import io.undertow.server.handlers.BlockingHandler;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undertow's core handlers as a server entry point: the whole server entry contract ({@link ServerEntryContract})
 * with the contract's application behind a {@code BlockingHandler}, the usual way to run blocking code on Undertow:
 * the root handler runs on the I/O thread and {@code exchange.dispatch(handler)}es the request to a worker, where the
 * application runs. The server's threads (its I/O threads and every worker) are read after each request.
 */
@ExtendWith(InstalledAgent.class)
class UndertowContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> running(new UndertowServer(new BlockingHandler(UndertowServer::serve)));
    }

    static ServerEntryAdapter.Running running(UndertowServer server) {
        return new ServerEntryAdapter.Running() {
            @Override
            public String url(String path) {
                return server.url(path);
            }

            @Override
            public List<String> threadsNow() throws Exception {
                return server.threadsNow();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    @Override
    public String toString() {
        return "undertow " + System.getProperty("undertow.test.version");
    }
}

package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plain Netty HTTP/1.1 server ({@code HttpServerCodec}, an aggregator, the application's handler on the event loop)
 * as a server entry point: the whole server entry contract ({@link ServerEntryContract}), on the Netty line of this
 * run (4.2, and 4.1 in the pom's {@code netty-4.1} execution). The server's threads are its event loops, read by a
 * task on each.
 */
@ExtendWith(InstalledAgent.class)
class NettyServerContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            NettyServer server = NettyServer.contract();
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return server.url(path);
                }

                @Override
                public List<String> threadsNow() throws Exception {
                    return NettyServer.threadsOf(server.workers);
                }

                @Override
                public void close() throws Exception {
                    server.close();
                }
            };
        };
    }

    @Override
    public String toString() {
        return "netty " + System.getProperty("netty.test.version");
    }
}

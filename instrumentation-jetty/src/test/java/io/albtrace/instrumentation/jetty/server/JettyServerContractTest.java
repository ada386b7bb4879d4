package io.albtrace.instrumentation.jetty.server;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jetty 12's core server as a server entry point: the whole server entry contract ({@link ServerEntryContract}) with
 * the contract's application as a {@code Handler.Abstract} set on the {@code Server}, run on Jetty's pool thread. The
 * pool's threads are read before and after each task they run.
 */
@ExtendWith(InstalledAgent.class)
class JettyServerContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> running(new JettyServer(new JettyServer.App()));
    }

    static ServerEntryAdapter.Running running(JettyServer server) {
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
            public void close() throws Exception {
                server.close();
            }
        };
    }

    @Override
    public String toString() {
        return "jetty core " + org.eclipse.jetty.util.Jetty.VERSION;
    }
}

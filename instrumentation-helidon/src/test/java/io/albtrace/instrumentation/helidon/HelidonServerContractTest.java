package io.albtrace.instrumentation.helidon;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Helidon SE 4.5.0 WebServer ({@link HelidonServer}: its routing, the application's handler on the request's
 * virtual thread) as a server entry point: the whole server entry contract ({@link ServerEntryContract}), its
 * balancer's HTTP/1.0 requests passed on as HTTP/1.1 ({@link Http11Front}: Helidon speaks no HTTP/1.0). The server's
 * threads are looked at before each request as its connection reads it.
 */
@ExtendWith(InstalledAgent.class)
class HelidonServerContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            HelidonServer server = HelidonServer.contract();
            Http11Front front = new Http11Front(server.server.port());
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return "http://127.0.0.1:" + front.port() + path;
                }

                @Override
                public List<String> threadsNow() {
                    return HelidonServer.threadsNow();
                }

                @Override
                public void close() throws Exception {
                    try (front) {
                        server.close();
                    }
                }
            };
        };
    }

    @Override
    public String toString() {
        return "helidon 4.5.0";
    }
}

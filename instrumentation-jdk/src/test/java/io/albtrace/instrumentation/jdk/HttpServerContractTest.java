package io.albtrace.instrumentation.jdk;

import com.sun.net.httpserver.HttpServer;
import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server entry contract ({@link ServerEntryContract}) on the JDK's {@code HttpServer}, its requests served by a
 * pool of two threads (reused from request to request; two, so that two requests can be in flight together), on
 * JDK 17 and Temurin 25. What only this server has (filters, nested handlers, HTTPS, exchanges wrapped by the
 * application) is {@link HttpServerEntryTest}'s.
 */
@ExtendWith(InstalledAgent.class)
class HttpServerContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            ExecutorService threads = Executors.newFixedThreadPool(2);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                String body;
                try {
                    body = ServerEntryContract.serve(exchange.getRequestURI().getPath());
                } catch (java.io.IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
                Front.respond(exchange, 200, body);
            });
            server.setExecutor(threads);
            server.start();
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
                }

                /** Both of the pool's threads, each made to run a probe at once. */
                @Override
                public List<String> threadsNow() throws Exception {
                    CyclicBarrier both = new CyclicBarrier(2);
                    List<Future<String>> probes = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        probes.add(threads.submit(() -> {
                            both.await(10, TimeUnit.SECONDS);
                            return ServerEntryContract.observe();
                        }));
                    }
                    List<String> now = new ArrayList<>();
                    for (Future<String> probe : probes) {
                        now.add(probe.get(20, TimeUnit.SECONDS));
                    }
                    return now;
                }

                @Override
                public void close() throws Exception {
                    server.stop(0);
                    threads.shutdownNow();
                    threads.awaitTermination(10, TimeUnit.SECONDS);
                }
            };
        };
    }

    @Override
    public String toString() {
        return "jdk-httpserver";
    }
}

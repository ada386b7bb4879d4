package io.albtrace.instrumentation.jetty.server;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Jetty 12 server on 127.0.0.1 with the application's handler tree, as an application builds one; its thread pool
 * records what each of its threads holds before and after each task it runs ({@link #threadsNow}).
 */
final class JettyServer implements AutoCloseable {

    static final int THREADS = 12;

    final Server server;
    final ServerConnector connector;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    JettyServer(Handler handler) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(THREADS, THREADS) {
            @Override
            public void execute(Runnable job) {
                super.execute(() -> {
                    seen.add(ServerEntryContract.observe());
                    try {
                        job.run();
                    } finally {
                        seen.add(ServerEntryContract.observe());
                    }
                });
            }
        };
        pool.setName("jetty-server-test");
        server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        // headers up to 1 MB: the contract sends 60 KB ones
        config.setRequestHeaderSize(1 << 20);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Answers {@code body} (text/plain, {@code status}) and completes {@code callback}. */
    static void answer(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The contract's application ({@link ServerEntryContract#serve}) as a core handler, on the thread it runs on. */
    static final class App extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            answer(response, callback, 200, ServerEntryContract.serve(request.getHttpURI().getPath()));
            return true;
        }
    }

    /**
     * What the pool's threads held before and after each task since the last call, and what each idle thread holds now
     * (tasks that wait for each other, so each takes its own thread), from a thread with no context bound.
     */
    List<String> threadsNow() throws Exception {
        try (Scope none = Context.bind(null)) {
            QueuedThreadPool pool = (QueuedThreadPool) server.getThreadPool();
            int idle = Math.max(1, pool.getIdleThreads());
            CountDownLatch all = new CountDownLatch(idle);
            for (int i = 0; i < idle; i++) {
                pool.execute(() -> {
                    all.countDown();
                    try {
                        all.await(2, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            all.await(5, TimeUnit.SECONDS);
        }
        List<String> now = new ArrayList<>(seen);
        seen.clear();
        return now;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

package io.albtrace.instrumentation.undertow;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioWorker;

/**
 * An Undertow server on 127.0.0.1 with {@value #IO_THREADS} I/O threads and {@value #WORKERS} worker threads, as an
 * application builds one ({@code Undertow.builder()}), serving {@code handler}; and what its threads hold.
 */
final class UndertowServer implements AutoCloseable {

    static final int IO_THREADS = 2;
    static final int WORKERS = 4;

    final Undertow undertow;
    /** The I/O threads' names seen while reading them ({@link #threadsNow}), to check that each was reached. */
    final Set<String> ioThreadsSeen = ConcurrentHashMap.newKeySet();

    UndertowServer(HttpHandler handler) {
        undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(IO_THREADS)
                .setWorkerThreads(WORKERS)
                // headers up to 1 MB: the contract sends 60 KB ones
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 1 << 20)
                .setHandler(handler).build();
        undertow.start();
    }

    int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    XnioWorker worker() {
        return undertow.getWorker();
    }

    /**
     * The contract's application ({@link ServerEntryContract#serve}) for {@code exchange}, on the thread this is
     * called on; a throw is a 500 (Undertow's own answer to a handler that throws).
     */
    static void serve(HttpServerExchange exchange) throws Exception {
        String body = ServerEntryContract.serve(exchange.getRequestPath());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(body);
    }

    /**
     * What each I/O thread and each worker thread holds now, as {@link ServerEntryContract#observe()} gives it: a task
     * on each I/O thread, and {@value #WORKERS} tasks on the workers that wait for each other (so each runs on its own
     * worker thread), all submitted from a thread with no context bound.
     */
    List<String> threadsNow() throws Exception {
        List<String> all = new ArrayList<>();
        XnioWorker worker = worker();
        try (Scope none = Context.bind(null)) {
            TreeMap<String, String> io = new TreeMap<>();
            for (int i = 0; i < worker.getIoThreadCount() * 4 && io.size() < worker.getIoThreadCount(); i++) {
                java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
                worker.getIoThread(i).execute(() -> seen.complete(Thread.currentThread().getName() + "\n"
                        + ServerEntryContract.observe()));
                String[] r = seen.get(10, TimeUnit.SECONDS).split("\n");
                io.put(r[0], r[1]);
            }
            if (io.size() != worker.getIoThreadCount()) {
                throw new IllegalStateException("not every I/O thread was reached: " + io.keySet());
            }
            ioThreadsSeen.addAll(io.keySet());
            all.addAll(io.values());
            CyclicBarrier all4 = new CyclicBarrier(WORKERS);
            List<java.util.concurrent.CompletableFuture<String>> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
                workers.add(seen);
                worker.execute(() -> {
                    try {
                        String what = ServerEntryContract.observe();
                        all4.await(10, TimeUnit.SECONDS);
                        seen.complete(what);
                    } catch (Exception e) {
                        seen.completeExceptionally(e);
                    }
                });
            }
            for (java.util.concurrent.CompletableFuture<String> seen : workers) {
                all.add(seen.get(20, TimeUnit.SECONDS));
            }
        }
        return all;
    }

    @Override
    public void close() {
        undertow.stop();
    }
}

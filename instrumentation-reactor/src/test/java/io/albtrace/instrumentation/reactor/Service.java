package io.albtrace.instrumentation.reactor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A front service on the JDK's {@code HttpServer} (the server entry: the request's context is bound while its
 * handler runs) whose handlers a test gives, a back service that records what it receives ({@link RecordingServer}),
 * and the JDK's {@code HttpClient} (instrumented) for the front's calls to the back. All on 127.0.0.1.
 */
final class Service implements AutoCloseable {

    /** A handler: runs in the request, returns the body, or null when it responds itself, later. */
    interface Handler {
        String handle(HttpExchange exchange) throws Exception;
    }

    final RecordingServer back;
    private final HttpServer front;
    private final ExecutorService frontThreads;
    private final HttpClient client = HttpClient.newHttpClient();
    /** The test's client to the front: a header set by the application is sent as it is (SPEC 5.1). */
    private final HttpClient caller;

    Service() throws IOException {
        back = new RecordingServer();
        front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        frontThreads = Executors.newFixedThreadPool(8);
        front.setExecutor(frontThreads);
        front.start();
        caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    Service handle(String path, Handler handler) {
        front.createContext(path, exchange -> {
            try {
                String body = handler.handle(exchange);
                if (body != null) {
                    respond(exchange, body);
                }
            } catch (Throwable e) { // an assertion too: the test sees it in the body, rather than waiting
                e.printStackTrace();
                respond(exchange, "failed: " + e);
            }
        });
        return this;
    }

    static void respond(HttpExchange exchange, String body) {
        try {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            exchange.close();
        }
    }

    /** Calls the front's {@code path} with {@code traceHeader}; the response's body. */
    String call(String path, String traceHeader) throws Exception {
        return callAsync(path, traceHeader).get(60, TimeUnit.SECONDS);
    }

    CompletableFuture<String> callAsync(String path, String traceHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + front.getAddress().getPort() + path));
        if (traceHeader != null) {
            request.header(Trace.NAME, traceHeader);
        }
        return caller.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpResponse::body);
    }

    /** A GET of the back's {@code path} from the calling thread (the JDK's client, instrumented); "ok". */
    String get(String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(back.url(path))).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The trace headers the back received on {@code path}, one per request. */
    List<String> received(String path) {
        List<String> headers = new ArrayList<>();
        for (RecordingServer.Received r : back.received()) {
            if (r.path.equals(path)) {
                if (r.traceHeaders.size() != 1) {
                    throw new AssertionError("not exactly one trace header: " + r);
                }
                headers.add(r.traceHeaders.get(0));
            }
        }
        return headers;
    }

    /** The one trace header the back received on {@code path}. */
    String receivedOnce(String path) {
        List<String> headers = received(path);
        if (headers.size() != 1) {
            throw new AssertionError("expected one request on " + path + ", got " + headers);
        }
        return headers.get(0);
    }

    /** A context as a balancer sends it, with a Root of its own for {@code n}. */
    static String incoming(int n) {
        return "Root=" + root(n) + ";CalledFrom=t";
    }

    static String root(int n) {
        return String.format("1-6789%04x-%024x", n & 0xffff, n);
    }

    @Override
    public void close() throws InterruptedException {
        front.stop(0);
        frontThreads.shutdownNow();
        frontThreads.awaitTermination(10, TimeUnit.SECONDS);
        back.close();
    }
}

package io.albtrace.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/1.1 server on 127.0.0.1 (the JDK's own, plain or HTTPS) that records every request it receives: its path,
 * every {@code X-Amzn-Trace-Id} copy (the name matched case-insensitively) and all its headers. It answers
 * {@code 200 ok} unless a test gives a path its own answer.
 */
public final class RecordingServer implements AutoCloseable {

    /** One received request. */
    public static final class Received {
        public final String path;
        /** The request method; set after construction by the server. */
        public String method;
        /** Every X-Amzn-Trace-Id value, in order; empty when there was none. */
        public final List<String> traceHeaders;

        public List<String> traceHeaders() {
            return traceHeaders;
        }
        /** Every header line as name and value. */
        public final List<Map.Entry<String, String>> headers;

        public Received(String path, List<String> traceHeaders, List<Map.Entry<String, String>> headers) {
            this.path = path;
            this.traceHeaders = traceHeaders;
            this.headers = headers;
        }

        /** The first value of header {@code name} (any case), or null. */
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        /** The one trace header; fails unless exactly one copy arrived. */
        public String traceHeader() {
            if (traceHeaders.size() != 1) {
                throw new AssertionError("expected exactly one X-Amzn-Trace-Id on " + path + ", got "
                        + traceHeaders);
            }
            return traceHeaders.get(0);
        }

        /** All request headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        public int headerBytes() {
            return HeaderLines.bytes(headers);
        }

        @Override
        public String toString() {
            return path + " " + traceHeaders;
        }
    }

    /** A test's own answer for a path. */
    public interface Answer {
        /** Sends the response; {@code count} is how many requests this path has had, this one included. */
        void respond(HttpExchange exchange, int count) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    private final String scheme;

    /** The JDK's server, not started, on 127.0.0.1 and a free port: HTTPS with {@code tls} when it is not null. */
    public static HttpServer loopback(SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            return HttpServer.create(address, 0);
        }
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        return https;
    }

    public RecordingServer() throws IOException {
        this(null);
    }

    /** An HTTPS server with {@code tls}'s certificate when it is not null. */
    public RecordingServer(SSLContext tls) throws IOException {
        server = loopback(tls);
        scheme = tls == null ? "http" : "https";
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Makes {@code path} answer with {@code answer}. */
    public RecordingServer answer(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    public String url(String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Received> received() {
        return Collections.unmodifiableList(new ArrayList<>(received));
    }

    /** The only request received; fails when there were none or several. */
    public Received only() {
        List<Received> all = received();
        if (all.size() != 1) {
            throw new AssertionError("expected one request, got " + all);
        }
        return all.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        List<String> trace = new ArrayList<>();
        List<Map.Entry<String, String>> all = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
            for (String v : e.getValue()) {
                all.add(Map.entry(e.getKey(), v));
                if (e.getKey().equalsIgnoreCase("X-Amzn-Trace-Id")) {
                    trace.add(v);
                }
            }
        }
        String path = exchange.getRequestURI().getPath();
        Received r = new Received(path, Collections.unmodifiableList(trace), Collections.unmodifiableList(all));
        r.method = exchange.getRequestMethod();
        received.add(r);
        int count = counts.merge(path, 1, Integer::sum);
        Answer answer = answers.get(path);
        try {
            if (answer != null) {
                answer.respond(exchange, count);
            } else {
                ok(exchange, "ok");
            }
        } finally {
            exchange.close();
        }
    }

    public static void ok(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the server's threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

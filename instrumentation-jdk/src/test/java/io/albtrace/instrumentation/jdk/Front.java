package io.albtrace.instrumentation.jdk;

import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.SelfSignedTls;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** A front service on the JDK's server (plain or HTTPS) with a test's handler, and a way to call it. */
final class Front implements AutoCloseable {

    final HttpServer server;
    final ExecutorService executor;
    private final String scheme;

    Front(ExecutorService executor, SSLContext tls) throws IOException {
        server = RecordingServer.loopback(tls);
        scheme = tls == null ? "http" : "https";
        this.executor = executor;
        server.setExecutor(executor);
        server.start();
    }

    Front handle(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    String url(String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /**
     * Calls {@code path} with exactly {@code traceHeader} (null: none) over a raw socket, so that no instrumented
     * client changes what the front receives. {@code Connection: close}; the body is read to the end.
     */
    Called call(String path, String traceHeader) throws Exception {
        int port = server.getAddress().getPort();
        Socket socket = scheme.equals("https")
                ? SelfSignedTls.get().context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)
                : new Socket(InetAddress.getLoopbackAddress(), port);
        try (Socket s = socket) {
            StringBuilder head = new StringBuilder();
            head.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
                    .append("\r\nConnection: close\r\n");
            if (traceHeader != null) {
                head.append(Trace.NAME).append(": ").append(traceHeader).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = response.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("no complete response: [" + response + "]");
            }
            String[] lines = response.substring(0, end).split("\r\n");
            int code = Integer.parseInt(lines[0].split(" ")[1]);
            String trace = null;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).equalsIgnoreCase(Trace.NAME)) {
                    trace = lines[i].substring(colon + 1).trim();
                }
            }
            String body = response.substring(end + 4);
            return new Called(code, body, trace);
        }
    }

    /** What a call to the front returned. */
    static final class Called {
        final int code;
        final String body;
        final String responseTraceHeader;

        Called(int code, String body, String responseTraceHeader) {
            this.code = code;
            this.body = body;
            this.responseTraceHeader = responseTraceHeader;
        }
    }

    /** GETs {@code url} with the JDK HttpClient and returns the status. */
    static int clientGet(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    /** GETs {@code url} with HttpURLConnection and returns the status. */
    static int connectionGet(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        int code = c.getResponseCode();
        c.getInputStream().close();
        return code;
    }

    static void respond(com.sun.net.httpserver.HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        try (java.io.OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the front's threads did not stop");
        }
    }
}

package io.albtrace.smoke.apps;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The back service of the smoke tests: reports the {@code X-Amzn-Trace-Id} headers each request brought.
 *
 * <pre>java -cp albtrace-back.jar io.albtrace.smoke.apps.BackApp PORT</pre>
 *
 * Binds 0.0.0.0:PORT (0: any free port), prints {@code back listening on PORT} when ready, and answers every
 * request with 200 text/plain: one line {@code x-amzn-trace-id: <value>} per header value received, in order,
 * then one line {@code other: <name>: <value>} per value of the other tracing headers it knows
 * ({@link #OTHER_TRACING_HEADERS}: those OpenTelemetry's and Datadog's agents write by default).
 * It needs nothing but the JDK. With {@code -Dsmoke.exitOnStdinEof=true} it exits when its stdin reaches end of file
 * (see {@link #exitOnStdinEof}).
 */
public final class BackApp {

    /**
     * The system property that makes the applications exit at the end of their stdin. Not {@code albtrace.*}: the
     * agent reads those as its settings.
     */
    public static final String EXIT_ON_STDIN_EOF = "smoke.exitOnStdinEof";

    /** Other agents' tracing headers, reported after the trace headers (names in lower case, as reported). */
    public static final List<String> OTHER_TRACING_HEADERS = List.of("traceparent", "tracestate", "baggage",
            "x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority", "x-datadog-tags", "b3");

    private BackApp() {
    }

    /**
     * With {@code -Dsmoke.exitOnStdinEof=true} only: exits (status 0) once stdin reaches end of file. The smoke tests
     * start the applications with it and hold their stdin open, so that they end with the test JVM even when it is
     * killed (failsafe's fork timeout, a cancelled CI job) instead of lingering. Off otherwise: containers run the
     * applications detached, without stdin, and they must keep running.
     */
    public static void exitOnStdinEof() {
        if (!Boolean.getBoolean(EXIT_ON_STDIN_EOF)) {
            return;
        }
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // input is ignored: only its end matters
                }
            } catch (IOException e) {
                // stdin is gone: the same as its end
            }
            System.exit(0);
        }, "exit-on-stdin-eof");
        watcher.setDaemon(true);
        watcher.start();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BackApp PORT");
            System.exit(2);
        }
        exitOnStdinEof();
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 50);
        server.createContext("/", exchange -> {
            StringBuilder body = new StringBuilder();
            List<String> values = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            if (values != null) {
                for (String v : values) {
                    body.append("x-amzn-trace-id: ").append(v).append('\n');
                }
            }
            for (String name : OTHER_TRACING_HEADERS) {
                List<String> other = exchange.getRequestHeaders().get(name);
                if (other != null) {
                    for (String v : other) {
                        body.append("other: ").append(name).append(": ").append(v).append('\n');
                    }
                }
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("back listening on " + server.getAddress().getPort());
    }
}

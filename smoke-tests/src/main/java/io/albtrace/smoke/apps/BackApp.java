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
 * request with 200 text/plain: one line {@code x-amzn-trace-id: <value>} per header value received, in order.
 * It needs nothing but the JDK.
 */
public final class BackApp {

    private BackApp() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BackApp PORT");
            System.exit(2);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 50);
        server.createContext("/", exchange -> {
            StringBuilder body = new StringBuilder();
            List<String> values = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            if (values != null) {
                for (String v : values) {
                    body.append("x-amzn-trace-id: ").append(v).append('\n');
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

package io.albtrace.smoke.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The front of the hop log's chain (HopLogIT): a JDK {@code HttpServer} whose {@code GET /order} calls two services,
 * one after the other: the first with the JDK's {@code HttpClient} on the request's thread, the second with
 * {@code HttpURLConnection} on a pool's thread (the application hands the work over and waits for it).
 *
 * <pre>java -cp albtrace-front.jar io.albtrace.smoke.apps.HopFrontApp PORT FIRST_URL SECOND_URL</pre>
 *
 * Prints {@code front listening on PORT} when ready and answers 200 text/plain: {@code incoming\t<value>} per
 * {@code X-Amzn-Trace-Id} it received, then each line of the first service's answer prefixed {@code first\t} and each
 * line of the second's prefixed {@code second\t}, so that the caller sees every header every service received.
 */
public final class HopFrontApp {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "front-worker");
        t.setDaemon(true);
        return t;
    });

    private HopFrontApp() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: HopFrontApp PORT FIRST_URL SECOND_URL");
            System.exit(2);
        }
        BackApp.exitOnStdinEof();
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 50);
        server.createContext("/order", exchange -> serve(exchange, args[1], args[2]));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        System.out.println("front listening on " + server.getAddress().getPort());
    }

    private static void serve(HttpExchange exchange, String first, String second) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            StringBuilder report = new StringBuilder();
            List<String> incoming = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            if (incoming != null) {
                for (String v : incoming) {
                    report.append("incoming\t").append(v).append('\n');
                }
            }
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(first)).build(),
                    HttpResponse.BodyHandlers.ofString());
            prefixed(report, "first", r.body());
            Future<String> handedOver = POOL.submit(() -> urlConnection(second));
            prefixed(report, "second", handedOver.get(30, TimeUnit.SECONDS));
            byte[] bytes = report.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (Exception e) {
            e.printStackTrace();
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    private static String urlConnection(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    private static void prefixed(StringBuilder report, String prefix, String body) {
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                report.append(prefix).append('\t').append(line).append('\n');
            }
        }
    }
}

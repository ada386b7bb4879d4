package io.albtrace.benchmarks.startup;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The small start-up application of {@code startup.sh}: starts a JDK {@code HttpServer} on loopback, sends it one
 * request with OkHttp and one with the JDK's {@code HttpClient}, and exits. It prints the trace header each
 * request arrived with, so the script can check that the agent under measurement really worked.
 */
public final class SmallApp {

    private SmallApp() {
    }

    public static void main(String[] args) throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().getPath() + "=" + exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id"));
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            OkHttpClient okhttp = new OkHttpClient();
            try (Response response = okhttp.newCall(new Request.Builder().url(base + "/okhttp").build()).execute()) {
                check(response.code(), response.body().string());
            }
            okhttp.dispatcher().executorService().shutdown();
            okhttp.connectionPool().evictAll();

            HttpClient jdk = HttpClient.newHttpClient();
            HttpResponse<String> response = jdk.send(HttpRequest.newBuilder(URI.create(base + "/jdk")).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(response.statusCode(), response.body());
        } finally {
            server.stop(0);
        }
        System.out.println("seen " + seen);
    }

    static void check(int status, String body) throws IOException {
        if (status != 200 || !"ok".equals(body)) {
            throw new IOException("unexpected answer " + status + " " + body);
        }
    }
}

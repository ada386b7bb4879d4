package io.albtrace.smoke.apps;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The JDK's {@code HttpClient} ({@code send} and {@code sendAsync}) and {@code HttpURLConnection}. */
final class JdkClients {

    private JdkClients() {
    }

    static List<FrontApp.Named> create() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String library = "jdk-" + Runtime.version().feature();
        return List.of(
                new FrontApp.Named("jdk", library, (url, appValues) ->
                        body(client.send(request(url, appValues), HttpResponse.BodyHandlers.ofString()))),
                new FrontApp.Named("jdk-async", library, (url, appValues) ->
                        body(client.sendAsync(request(url, appValues), HttpResponse.BodyHandlers.ofString())
                                .get(10, TimeUnit.SECONDS))),
                new FrontApp.Named("urlconnection", library, JdkClients::urlConnection));
    }

    private static HttpRequest request(String url, List<String> appValues) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (String v : appValues) {
            b.header("X-Amzn-Trace-Id", v);
        }
        return b.build();
    }

    private static String body(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static String urlConnection(String url, List<String> appValues) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        for (String v : appValues) {
            c.addRequestProperty("X-Amzn-Trace-Id", v);
        }
        int code = c.getResponseCode();
        try (InputStream in = c.getInputStream()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (code != 200) {
                throw new IOException("HTTP " + code);
            }
            return body;
        }
    }
}

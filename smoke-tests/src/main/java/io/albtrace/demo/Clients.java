package io.albtrace.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The front service's HTTP clients, each used the plain way an application uses it, none aware of the agent.
 * Every call sends {@link Demo#SCENARIO_HEADER} and {@link Demo#CLIENT_HEADER} so the back service can tell
 * the calls apart, and the {@code X-Amzn-Trace-Id} values the application itself sets, if any.
 */
final class Clients implements AutoCloseable {

    /** One way of calling out: makes a GET with the given headers and returns null, or what went wrong. */
    interface Client {
        String get(String url, Map<String, List<String>> headers) throws Exception;
    }

    private final OkHttpClient okHttp = new OkHttpClient.Builder().callTimeout(10, TimeUnit.SECONDS).build();
    private final CloseableHttpClient apache5 = HttpClients.createDefault();
    private final CloseableHttpAsyncClient apache5Async = HttpAsyncClients.createDefault();
    private final org.apache.http.impl.client.CloseableHttpClient apache4 =
            org.apache.http.impl.client.HttpClients.createDefault();
    private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Client name to client, in the order the front service calls them. */
    final Map<String, Client> all = new LinkedHashMap<>();

    Clients() {
        apache5Async.start();
        all.put("okhttp", this::okHttp);
        all.put("okhttp-async", this::okHttpAsync);
        all.put("apache5", this::apache5);
        all.put("apache5-async", this::apache5Async);
        all.put("apache4", this::apache4);
        all.put("jdk", this::jdk);
        all.put("jdk-async", this::jdkAsync);
        all.put("urlconnection", Clients::urlConnection);
    }

    /** What the demo's first line says about the client libraries on its class path. */
    static String describe() {
        return "OkHttp " + version("okhttp3.OkHttp", "VERSION") + ", Apache HttpClient "
                + versionFromPom("org.apache.hc.client5.http.impl.classic.HttpClients") + " and "
                + versionFromPom("org.apache.http.impl.client.HttpClients")
                + ", the JDK's HttpClient and HttpURLConnection";
    }

    private String okHttp(String url, Map<String, List<String>> headers) throws IOException {
        try (Response response = okHttp.newCall(okRequest(url, headers)).execute()) {
            return response.isSuccessful() ? null : "HTTP " + response.code();
        }
    }

    private String okHttpAsync(String url, Map<String, List<String>> headers) throws Exception {
        CompletableFuture<String> done = new CompletableFuture<>();
        okHttp.newCall(okRequest(url, headers)).enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    done.complete(response.isSuccessful() ? null : "HTTP " + response.code());
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                done.complete(e.toString());
            }
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    private static Request okRequest(String url, Map<String, List<String>> headers) {
        Request.Builder b = new Request.Builder().url(url);
        headers.forEach((name, values) -> values.forEach(v -> b.addHeader(name, v)));
        return b.build();
    }

    private String apache5(String url, Map<String, List<String>> headers) throws IOException {
        HttpGet get = new HttpGet(url);
        headers.forEach((name, values) -> values.forEach(v -> get.addHeader(name, v)));
        return apache5.execute(get, response -> {
            EntityUtils.consume(response.getEntity());
            return response.getCode() == 200 ? null : "HTTP " + response.getCode();
        });
    }

    private String apache5Async(String url, Map<String, List<String>> headers) throws Exception {
        SimpleRequestBuilder b = SimpleRequestBuilder.get(url);
        headers.forEach((name, values) -> values.forEach(v -> b.addHeader(name, v)));
        SimpleHttpRequest request = b.build();
        SimpleHttpResponse response = apache5Async.execute(request, null).get(10, TimeUnit.SECONDS);
        return response.getCode() == 200 ? null : "HTTP " + response.getCode();
    }

    private String apache4(String url, Map<String, List<String>> headers) throws IOException {
        org.apache.http.client.methods.HttpGet get = new org.apache.http.client.methods.HttpGet(url);
        headers.forEach((name, values) -> values.forEach(v -> get.addHeader(name, v)));
        try (org.apache.http.client.methods.CloseableHttpResponse response = apache4.execute(get)) {
            org.apache.http.util.EntityUtils.consume(response.getEntity());
            int code = response.getStatusLine().getStatusCode();
            return code == 200 ? null : "HTTP " + code;
        }
    }

    private String jdk(String url, Map<String, List<String>> headers) throws Exception {
        HttpResponse<Void> response = jdk.send(jdkRequest(url, headers), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200 ? null : "HTTP " + response.statusCode();
    }

    private String jdkAsync(String url, Map<String, List<String>> headers) throws Exception {
        HttpResponse<Void> response = jdk.sendAsync(jdkRequest(url, headers), HttpResponse.BodyHandlers.discarding())
                .get(10, TimeUnit.SECONDS);
        return response.statusCode() == 200 ? null : "HTTP " + response.statusCode();
    }

    private static HttpRequest jdkRequest(String url, Map<String, List<String>> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        headers.forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        return b.build();
    }

    private static String urlConnection(String url, Map<String, List<String>> headers) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        headers.forEach((name, values) -> values.forEach(v -> c.addRequestProperty(name, v)));
        int code = c.getResponseCode();
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes();
        }
        return code == 200 ? null : "HTTP " + code;
    }

    @Override
    public void close() throws IOException {
        okHttp.dispatcher().executorService().shutdown();
        okHttp.connectionPool().evictAll();
        apache5.close();
        apache5Async.close();
        apache4.close();
    }

    private static String version(String className, String field) {
        try {
            return String.valueOf(Class.forName(className).getField(field).get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "(unknown version)";
        }
    }

    /** Apache's jars keep their version in their pom.properties, which the shaded demo jar still carries. */
    private static String versionFromPom(String className) {
        String[] candidates = className.startsWith("org.apache.hc.")
                ? new String[] {"META-INF/maven/org.apache.httpcomponents.client5/httpclient5/pom.properties"}
                : new String[] {"META-INF/maven/org.apache.httpcomponents/httpclient/pom.properties"};
        List<String> found = new ArrayList<>();
        for (String resource : candidates) {
            try (InputStream in = Clients.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    java.util.Properties p = new java.util.Properties();
                    p.load(in);
                    found.add(p.getProperty("version"));
                }
            } catch (IOException e) {
                // unknown
            }
        }
        return found.isEmpty() ? "(unknown version)" : found.get(0);
    }
}

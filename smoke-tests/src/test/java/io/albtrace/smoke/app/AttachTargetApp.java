package io.albtrace.smoke.app;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A long-running application started without the agent, for the attach tests. It runs a back service (a JDK
 * {@code HttpServer}) that records the {@code X-Amzn-Trace-Id} values each request brought, and waits on stdin.
 * For each line {@code call LABEL} it calls the back service with OkHttp, the JDK's {@code HttpClient} and
 * {@code HttpURLConnection}, each twice: once plain ({@code plain}) and once with a header the application sets
 * itself ({@code own}: {@link #OWN}); then prints per call {@code LABEL CLIENT KIND : VALUES} (the values
 * joined by {@code " | "}, or {@code none}) and {@code done LABEL}. {@code quit} (or the end of stdin) ends it.
 * On start it prints {@code ready PID}.
 */
public final class AttachTargetApp {

    /** The header the application sets itself on its {@code own} calls. */
    public static final String OWN = "Root=1-67891233-abcdef012345678912345678;Custom=x";

    private static final String[] CLIENTS = {"okhttp", "jdk", "urlconnection"};
    private static final String[] KINDS = {"plain", "own"};

    private AttachTargetApp() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> arrived = new ConcurrentHashMap<>();
        HttpServer back = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        back.createContext("/back/", exchange -> {
            List<String> values = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            arrived.put(exchange.getRequestURI().getPath(), values == null ? List.of() : new ArrayList<>(values));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        back.start();
        String base = "http://127.0.0.1:" + back.getAddress().getPort() + "/back/";
        OkHttpClient okHttp = new OkHttpClient.Builder().callTimeout(10, TimeUnit.SECONDS).build();
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            if (line.equals("hold") || line.equals("release")) {
                hold(line.equals("hold"));
                continue;
            }
            if (!line.startsWith("call ")) {
                System.out.println("unknown command " + line);
                continue;
            }
            String label = line.substring("call ".length()).trim();
            for (String client : CLIENTS) {
                for (String kind : KINDS) {
                    String path = "/back/" + label + "/" + client + "/" + kind;
                    String own = kind.equals("own") ? OWN : null;
                    String result;
                    try {
                        int status = call(client, okHttp, jdk, base + label + "/" + client + "/" + kind, own);
                        List<String> values = arrived.remove(path);
                        result = status != 204 ? "HTTP " + status
                                : values == null ? "not received" : values.isEmpty() ? "none" : String.join(" | ", values);
                    } catch (Exception e) {
                        result = "failed " + e;
                    }
                    System.out.println(label + " " + client + " " + kind + " : " + result);
                }
            }
            System.out.println("done " + label);
            System.out.flush();
        }
        back.stop(0);
        okHttp.dispatcher().executorService().shutdown();
        okHttp.connectionPool().evictAll();
    }

    private static final java.util.concurrent.CountDownLatch RELEASE = new java.util.concurrent.CountDownLatch(1);

    /**
     * "hold": a thread holds the agent entry class's lock (an agent attached already put it on the class path), so
     * a later agentmain blocks, until "release".
     */
    private static void hold(boolean hold) throws Exception {
        if (!hold) {
            RELEASE.countDown();
            System.out.println("released");
            System.out.flush();
            return;
        }
        Class<?> agent = Class.forName("io.albtrace.agent.AlbtraceAgent", false, ClassLoader.getSystemClassLoader());
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (agent) {
                held.countDown();
                try {
                    RELEASE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "hold-agent-lock");
        holder.setDaemon(true);
        holder.start();
        held.await();
        System.out.println("holding");
        System.out.flush();
    }

    private static int call(String client, OkHttpClient okHttp, HttpClient jdk, String url, String own)
            throws Exception {
        switch (client) {
            case "okhttp": {
                Request.Builder b = new Request.Builder().url(url);
                if (own != null) {
                    b.header("X-Amzn-Trace-Id", own);
                }
                try (Response response = okHttp.newCall(b.build()).execute()) {
                    return response.code();
                }
            }
            case "jdk": {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
                if (own != null) {
                    b.header("X-Amzn-Trace-Id", own);
                }
                return jdk.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            default: {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                c.setConnectTimeout(10_000);
                c.setReadTimeout(10_000);
                if (own != null) {
                    c.setRequestProperty("X-Amzn-Trace-Id", own);
                }
                int status = c.getResponseCode();
                c.disconnect();
                return status;
            }
        }
    }
}

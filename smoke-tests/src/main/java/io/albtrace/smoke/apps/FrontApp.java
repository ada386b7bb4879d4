package io.albtrace.smoke.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The front service of the smoke tests: for every request, calls the back service ({@link BackApp}) with each
 * HTTP client it finds on its class path, and reports what the back service received.
 *
 * <pre>java -cp 'albtrace-front.jar:lib/*' io.albtrace.smoke.apps.FrontApp PORT BACK_URL</pre>
 *
 * Binds 0.0.0.0:PORT (0: any free port) and prints {@code front listening on PORT} when ready. {@code GET /chain}
 * answers 200 text/plain, one tab-separated record per line:
 * <pre>
 * incoming &lt;value&gt;                      one per X-Amzn-Trace-Id value the request brought
 * mdc      &lt;amzn.trace.id&gt; &lt;amzn.trace.root&gt;  SLF4J's MDC while serving, when SLF4J is there ("-": empty)
 * call     &lt;client&gt; &lt;library&gt; ok &lt;value&gt;...  per client: the values the back service received, in order
 * call     &lt;client&gt; &lt;library&gt; error &lt;what&gt;   per client that failed
 * other    &lt;client&gt; &lt;name&gt; &lt;value&gt;       after a call: each other tracing header the back service received
 * </pre>
 * {@code GET /chain/VIA} makes each call on another thread: {@code executor} (a pool's {@code submit}),
 * {@code completable} ({@code CompletableFuture.supplyAsync} on the common pool) or {@code virtual} (a virtual
 * thread, Java 21+); the application carries no context there itself.
 * Query parameters: {@code clients=okhttp,jdk} calls only those; each {@code set=<value>} makes every call
 * set that {@code X-Amzn-Trace-Id} value itself (twice given: two copies), as an application may.
 * The application knows nothing of the agent; with the agent attached, the calls carry the header.
 * With {@code -Dsmoke.exitOnStdinEof=true} it exits when its stdin reaches end of file ({@link BackApp#exitOnStdinEof}).
 */
public final class FrontApp {

    /** One way of calling out. */
    interface Client {
        /** A GET of {@code url} with {@code appValues} as X-Amzn-Trace-Id headers; returns the response body. */
        String get(String url, List<String> appValues) throws Exception;
    }

    /** A client with its name and the library it comes from (the jar's file name, or the JDK's version). */
    static final class Named {
        final String name;
        final String library;
        final Client client;

        Named(String name, String library, Client client) {
            this.name = name;
            this.library = library;
            this.client = client;
        }
    }

    private FrontApp() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FrontApp PORT BACK_URL");
            System.exit(2);
        }
        BackApp.exitOnStdinEof(); // with -Dsmoke.exitOnStdinEof=true only: see there
        String back = args[1];
        List<Named> clients = clients();
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 50);
        server.createContext("/chain", exchange -> serve(exchange, back, clients));
        // A small pool: its threads serve one request after another, as a real server's do.
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        List<String> names = new ArrayList<>();
        for (Named c : clients) {
            names.add(c.name + " (" + c.library + ")");
        }
        System.out.println("front clients: " + String.join(", ", names));
        System.out.println("front listening on " + server.getAddress().getPort());
    }

    /** Every client whose library is on the class path; a library that is absent is never loaded. */
    static List<Named> clients() {
        List<Named> all = new ArrayList<>();
        if (present("okhttp3.OkHttpClient")) {
            all.addAll(OkHttpClients.create());
        }
        if (present("org.apache.hc.client5.http.impl.classic.HttpClients")) {
            all.addAll(Apache5Clients.create());
        }
        if (present("org.apache.http.impl.client.HttpClients")) {
            all.addAll(Apache4Clients.create());
        }
        all.addAll(JdkClients.create());
        return all;
    }

    private static void serve(HttpExchange exchange, String back, List<Named> clients) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            List<String> only = new ArrayList<>();
            List<String> appValues = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    if (key.equals("clients")) {
                        only.addAll(Arrays.asList(value.split(",")));
                    } else if (key.equals("set")) {
                        appValues.add(value);
                    }
                }
            }
            // /chain/<via>: each call is made on another thread (see Handover)
            String path = exchange.getRequestURI().getPath();
            String via = path.startsWith("/chain/") ? path.substring("/chain/".length()) : "";
            StringBuilder report = new StringBuilder();
            List<String> incoming = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            if (incoming != null) {
                for (String v : incoming) {
                    report.append("incoming\t").append(v).append('\n');
                }
            }
            String mdc = Mdc.describe();
            if (mdc != null) {
                report.append("mdc\t").append(mdc).append('\n');
            }
            for (Named c : clients) {
                if (!only.isEmpty() && !only.contains(c.name)) {
                    continue;
                }
                report.append("call\t").append(c.name).append('\t').append(c.library).append('\t');
                StringBuilder others = new StringBuilder();
                try {
                    String body = Handover.call(via, () -> c.client.get(back, appValues));
                    report.append("ok");
                    for (String line : body.split("\n")) {
                        if (line.startsWith("x-amzn-trace-id: ")) {
                            report.append('\t').append(line.substring("x-amzn-trace-id: ".length()));
                        } else if (line.startsWith("other: ")) {
                            // "other: <name>: <value>": another agent's tracing header
                            String other = line.substring("other: ".length()).replace('\t', ' ');
                            int colon = other.indexOf(": ");
                            others.append("other\t").append(c.name).append('\t').append(other, 0, colon).append('\t')
                                    .append(other.substring(colon + 2)).append('\n');
                        }
                    }
                } catch (Exception | LinkageError e) {
                    report.append("error ").append(String.valueOf(e).replace('\t', ' ').replace('\n', ' '));
                }
                report.append('\n').append(others);
            }
            byte[] bytes = report.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (RuntimeException | IOException e) {
            e.printStackTrace();
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    /** Makes a call on another thread, as an application hands work over, and waits for it. */
    static final class Handover {
        private static final java.util.concurrent.ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "front-worker");
            t.setDaemon(true);
            return t;
        });

        private Handover() {
        }

        static String call(String via, java.util.concurrent.Callable<String> call) throws Exception {
            switch (via) {
                case "":
                    return call.call();
                case "executor":
                    return POOL.submit(call).get(30, java.util.concurrent.TimeUnit.SECONDS);
                case "completable":
                    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return call.call();
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }).get(30, java.util.concurrent.TimeUnit.SECONDS);
                case "virtual":
                    // a plain Runnable (not a FutureTask, which would carry the context itself) on a virtual thread:
                    // Thread.startVirtualThread (Java 21+), by reflection, this class being compiled for 17
                    String[] result = new String[1];
                    Exception[] failed = new Exception[1];
                    Runnable task = () -> {
                        try {
                            result[0] = call.call();
                        } catch (Exception e) {
                            failed[0] = e;
                        }
                    };
                    Thread t = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
                    t.join(30_000);
                    if (failed[0] != null) {
                        throw failed[0];
                    }
                    return result[0];
                default:
                    throw new IllegalArgumentException("no such hand-over: " + via);
            }
        }
    }

    static boolean present(String className) {
        try {
            Class.forName(className, false, FrontApp.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The file name of the jar a class came from, as the name of the library version in use. */
    static String library(Class<?> type) {
        try {
            String path = type.getProtectionDomain().getCodeSource().getLocation().getPath();
            return path.substring(path.lastIndexOf('/') + 1);
        } catch (RuntimeException e) {
            return "(unknown)";
        }
    }

    /** SLF4J's MDC, read by reflection so that the front runs without SLF4J too. */
    static final class Mdc {
        private Mdc() {
        }

        /** {@code <amzn.trace.id>\t<amzn.trace.root>} ("-" where empty), or null without SLF4J. */
        static String describe() {
            if (!present("org.slf4j.MDC")) {
                return null;
            }
            try {
                Class<?> mdc = Class.forName("org.slf4j.MDC");
                Object id = mdc.getMethod("get", String.class).invoke(null, "amzn.trace.id");
                Object root = mdc.getMethod("get", String.class).invoke(null, "amzn.trace.root");
                return (id == null ? "-" : id) + "\t" + (root == null ? "-" : root);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }
}

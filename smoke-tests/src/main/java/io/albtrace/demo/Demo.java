package io.albtrace.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The albtrace demo: an ordinary OkHttp application that knows nothing of the agent. It starts a local back
 * service that records the {@code X-Amzn-Trace-Id} headers it receives, calls it in a few scenarios and
 * prints, hop by hop, what the application set and what arrived, and whether that follows the SPEC.
 *
 * <pre>
 *   java -javaagent:agent/target/albtrace-agent.jar -jar smoke-tests/target/albtrace-demo.jar
 *   java -jar smoke-tests/target/albtrace-demo.jar          (without the agent: headers arrive unchanged)
 * </pre>
 *
 * <p>Output, one line per scenario per hop, each line {@code <scenario> <what> : <value>}:
 * <pre>
 *   == no-header: the application sets no header
 *      no-header expect  : Root=&lt;new&gt;
 *      no-header app-set : (none)
 *      no-header arrived : Root=1-67a1b2c3-0123456789abcdef01234567
 *      no-header verdict : OK follows SPEC: no header, so Root=&lt;new&gt;
 * </pre>
 * {@code app-set} and {@code arrived} lines repeat when there are several copies; {@code (none)} when there is
 * none. The verdict is {@code OK} (follows SPEC), {@code UNCHANGED} (arrived as the application set it: no agent,
 * or the agent switched off) or {@code MISMATCH}. The exit status is 1 when a scenario is a MISMATCH, else 0.
 */
public final class Demo {

    static final String HEADER = "X-Amzn-Trace-Id";
    static final String SCENARIO_HEADER = "X-Demo-Scenario";
    static final String NEW = "<new>";
    static final Pattern ID = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");

    /** The AWS documentation's example Root and Self. */
    static final String ROOT = "Root=1-67891233-abcdef012345678912345678";
    static final String SELF = "Self=1-67891234-12456789abcdef012345678";

    private Demo() {
    }

    /** One call: the headers the application sets and the header SPEC says must arrive. */
    static final class Scenario {
        final String name;
        final String title;
        final List<String> appSet;
        final String expect;
        final boolean async;

        Scenario(String name, String title, String expect, boolean async, String... appSet) {
            this.name = name;
            this.title = title;
            this.expect = expect;
            this.async = async;
            this.appSet = List.of(appSet);
        }
    }

    static List<Scenario> scenarios() {
        List<Scenario> s = new ArrayList<>();
        s.add(new Scenario("no-header", "the application sets no header: a new Root",
                "Root=<new>", false));
        s.add(new Scenario("alb-root", "a Root-only header, as an ALB sends it: Self inserted",
                "Self=<new>;" + ROOT, false,
                ROOT));
        s.add(new Scenario("self-custom", "Root, Self and a custom field: Self updated, the custom field kept",
                "Self=<new>;" + ROOT + ";CalledFrom=app", false,
                SELF + ";" + ROOT + ";CalledFrom=app"));
        s.add(new Scenario("two-copies", "the application set two copies: the first counts, one leaves",
                "Self=<new>;" + ROOT + ";CalledFrom=first", false,
                ROOT + ";CalledFrom=first", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second"));
        s.add(new Scenario("async", "enqueue(): forwarded although OkHttp's dispatcher thread sends it",
                "Self=<new>;" + ROOT + ";Sampled=1", true,
                ROOT + ";Sampled=1"));
        s.add(new Scenario("malformed", "malformed parts and an invalid Root: dropped, a new Root, custom fields kept",
                "Root=<new>;Sampled=1;Parent=53995c3f42cd8ad8", false,
                "Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;odd name=x;Sampled=1;;Parent=53995c3f42cd8ad8"));
        return s;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        long started = System.nanoTime();
        out.println("albtrace demo: X-Amzn-Trace-Id, application -> OkHttp " + okHttpVersion()
                + " -> back service, on Java " + System.getProperty("java.version"));
        out.println("agent: " + agentStatus());

        Map<String, List<String>> received = new ConcurrentHashMap<>();
        Map<String, CountDownLatch> arrivals = new ConcurrentHashMap<>();
        List<Scenario> scenarios = scenarios();
        for (Scenario sc : scenarios) {
            arrivals.put(sc.name, new CountDownLatch(1));
        }
        HttpServer back = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        back.createContext("/back", exchange -> record(exchange, received, arrivals));
        back.start();
        String url = "http://127.0.0.1:" + back.getAddress().getPort() + "/back";
        out.println("back service: " + url + " (records the " + HEADER + " headers it receives)");
        out.println("hops: 'app-set' is what the application put on its OkHttp request,"
                + " 'arrived' is what the back service received; <new> is a fresh 1-<8 hex>-<24 hex> identifier");

        OkHttpClient client = new OkHttpClient.Builder()
                .callTimeout(10, TimeUnit.SECONDS)
                .build();
        int ok = 0;
        int unchanged = 0;
        int mismatch = 0;
        try {
            for (Scenario sc : scenarios) {
                String failure = call(client, url, sc);
                CountDownLatch arrived = arrivals.get(sc.name);
                arrived.await(10, TimeUnit.SECONDS);
                List<String> got = received.getOrDefault(sc.name, Collections.emptyList());
                out.println();
                out.println("== " + sc.name + ": " + sc.title);
                line(out, sc, "expect ", List.of(sc.expect));
                line(out, sc, "app-set", sc.appSet);
                line(out, sc, "arrived", got);
                String verdict = failure != null ? "MISMATCH the call failed: " + failure : verdict(sc, got);
                line(out, sc, "verdict", List.of(verdict));
                if (verdict.startsWith("OK")) {
                    ok++;
                } else if (verdict.startsWith("UNCHANGED")) {
                    unchanged++;
                } else {
                    mismatch++;
                }
            }
        } finally {
            back.stop(0);
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        out.println();
        out.println("summary: " + scenarios.size() + " scenarios: " + ok + " OK (follow SPEC), " + unchanged
                + " UNCHANGED, " + mismatch + " MISMATCH, in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        out.flush();
        System.exit(mismatch == 0 ? 0 : 1);
    }

    /** Makes the scenario's call; returns null, or what went wrong. */
    private static String call(OkHttpClient client, String url, Scenario sc) throws InterruptedException {
        Request.Builder builder = new Request.Builder().url(url).header(SCENARIO_HEADER, sc.name);
        for (String value : sc.appSet) {
            builder.addHeader(HEADER, value); // addHeader: several copies stay several copies
        }
        Call call = client.newCall(builder.build());
        if (!sc.async) {
            try (Response response = call.execute()) {
                return response.isSuccessful() ? null : "HTTP " + response.code();
            } catch (IOException e) {
                return e.toString();
            }
        }
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        call.enqueue(new Callback() {
            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    if (!response.isSuccessful()) {
                        failure.set("HTTP " + response.code());
                    }
                } finally {
                    done.countDown();
                }
            }

            @Override
            public void onFailure(Call c, IOException e) {
                failure.set(e.toString());
                done.countDown();
            }
        });
        if (!done.await(10, TimeUnit.SECONDS)) {
            return "no answer in 10 s";
        }
        return failure.get();
    }

    private static void record(HttpExchange exchange, Map<String, List<String>> received,
            Map<String, CountDownLatch> arrivals) throws IOException {
        try {
            String scenario = exchange.getRequestHeaders().getFirst(SCENARIO_HEADER);
            List<String> values = exchange.getRequestHeaders().get(HEADER); // the name is matched case-insensitively
            received.put(String.valueOf(scenario), values == null ? List.of() : List.copyOf(values));
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
            CountDownLatch latch = arrivals.get(String.valueOf(scenario));
            if (latch != null) {
                latch.countDown();
            }
        } finally {
            exchange.close();
        }
    }

    private static void line(PrintStream out, Scenario sc, String what, List<String> values) {
        if (values.isEmpty()) {
            out.println("   " + sc.name + " " + what + " : (none)");
        }
        for (String v : values) {
            out.println("   " + sc.name + " " + what + " : " + v);
        }
    }

    /** OK when exactly one header arrived and it matches what SPEC section 3 says; UNCHANGED; else MISMATCH. */
    static String verdict(Scenario sc, List<String> arrived) {
        if (arrived.size() == 1 && matches(sc.expect, arrived.get(0), sc.appSet)) {
            return "OK follows SPEC: " + explain(sc);
        }
        if (arrived.equals(sc.appSet)) {
            return "UNCHANGED arrived exactly as the application set it"
                    + (agentAttached() ? "" : " (no agent attached)");
        }
        if (arrived.size() != 1) {
            return "MISMATCH " + arrived.size() + " headers arrived; SPEC: exactly one, " + sc.expect;
        }
        return "MISMATCH SPEC says " + sc.expect;
    }

    private static String explain(Scenario sc) {
        switch (sc.name) {
            case "no-header":
                return "no header, so Root=<new>";
            case "alb-root":
                return "valid Root and no Self, so a new Self in front, the Root kept";
            case "self-custom":
                return "valid Root and a Self, so the Self value replaced, all else kept in order";
            case "two-copies":
                return "only the first copy counted, exactly one header left";
            case "async":
                return "the enqueued call forwarded like a synchronous one";
            case "malformed":
                return "no valid Root, so Root=<new>, bad parts dropped, custom fields kept";
            default:
                return sc.expect;
        }
    }

    /**
     * True when {@code actual} is {@code expect} with each {@code <new>} a fresh identifier: well formed, made
     * within a day of now, and none of the identifiers the application sent.
     */
    static boolean matches(String expect, String actual, List<String> sent) {
        StringBuilder regex = new StringBuilder();
        String[] pieces = expect.split(Pattern.quote(NEW), -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                regex.append('(').append(ID.pattern()).append(')');
            }
            regex.append(Pattern.quote(pieces[i]));
        }
        java.util.regex.Matcher m = Pattern.compile(regex.toString()).matcher(actual);
        if (!m.matches()) {
            return false;
        }
        long now = System.currentTimeMillis() / 1000;
        for (int g = 1; g <= m.groupCount(); g++) {
            String id = m.group(g);
            long epoch = Long.parseLong(id.substring(2, 10), 16);
            if (Math.abs(epoch - now) > 86_400) {
                return false;
            }
            for (String s : sent) {
                if (s.contains(id)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The agent defines its core classes in the bootstrap class loader: there they are when it is attached. */
    static boolean agentAttached() {
        try {
            Class.forName("io.albtrace.core.Outgoing", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String agentStatus() {
        if (!agentAttached()) {
            return "NOT ATTACHED (io.albtrace.core.Outgoing is not in the bootstrap class loader);"
                    + " headers travel as the application set them";
        }
        String status = "ATTACHED (io.albtrace.core.Outgoing is in the bootstrap class loader)";
        try { // what the agent's settings say; only informative
            Class<?> config = Class.forName("io.albtrace.core.Config", false, null);
            Object current = config.getMethod("current").invoke(null);
            boolean enabled = (Boolean) config.getMethod("enabled").invoke(current);
            boolean okhttp = (Boolean) config.getMethod("instrumentationEnabled", String.class).invoke(current, "okhttp");
            if (!enabled) {
                status += ", but albtrace.enabled=false: it installed nothing";
            } else if (!okhttp) {
                status += ", but albtrace.instrumentation.okhttp.enabled=false: OkHttp is not instrumented";
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // an agent version without these methods: say nothing more
        }
        return status;
    }

    private static String okHttpVersion() {
        try {
            Object v = Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
            return String.valueOf(v);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "(unknown version)";
        }
    }
}

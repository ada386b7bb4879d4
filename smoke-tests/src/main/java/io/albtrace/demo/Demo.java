package io.albtrace.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The albtrace demo: two ordinary services that know nothing of the agent. A request comes in to the
 * <b>front</b> service (a JDK {@code HttpServer}) the way an AWS Application Load Balancer sends it; while
 * serving it, the front calls the <b>back</b> service once with each HTTP client it has (OkHttp, Apache
 * HttpClient 5 classic and async, Apache HttpClient 4.5, the JDK's HttpClient, HttpURLConnection). The back
 * service records the {@code X-Amzn-Trace-Id} headers it receives. The demo prints every hop and checks it
 * against the SPEC.
 *
 * <pre>
 *   java -javaagent:agent/target/albtrace-agent.jar -jar smoke-tests/target/albtrace-demo.jar
 *   java -jar smoke-tests/target/albtrace-demo.jar          (without the agent: nothing is forwarded)
 * </pre>
 *
 * <p>Output, per scenario, lines {@code <scenario> <what> : <value>}:
 * <pre>
 *   == alb-root: a Root-only header, as an ALB sends it: the Root kept, each call its own Self
 *      alb-root incoming      : Root=1-67891233-abcdef012345678912345678
 *      alb-root context       : Root=1-67891233-abcdef012345678912345678
 *      alb-root mdc           : amzn.trace.root=1-67891233-abcdef012345678912345678 amzn.trace.id=Root=1-6789...
 *      alb-root expect        : Self=&lt;new&gt;;Root=1-67891233-abcdef012345678912345678
 *      alb-root okhttp        : Self=1-6a1f0c2e-...;Root=1-67891233-abcdef012345678912345678
 *      ...
 *      alb-root verdict       : OK 8 of 8 calls follow SPEC: one Root, 8 distinct new Selfs
 * </pre>
 * {@code incoming} is what the balancer sent to the front, {@code context} what the agent bound while the front
 * served it (shown only when the agent is attached), {@code mdc} what the front's SLF4J (Logback) MDC held
 * meanwhile, {@code app-set} what the front's own code put on its
 * calls, if anything, and one line per client with what the back service received ({@code (none)}: no header;
 * a line per copy when several arrived). {@code <new>} is a fresh {@code 1-<8 hex>-<24 hex>} identifier,
 * {@code <root>} a fresh one shared by every call of the scenario. A client's result is {@code OK} (follows
 * SPEC), {@code UNCHANGED} (arrived exactly as the front's code set it: no agent, or that instrumentation
 * switched off) or {@code MISMATCH}. The exit status is 1 when any call is a MISMATCH, else 0.
 */
public final class Demo {

    static final String HEADER = "X-Amzn-Trace-Id";
    static final String SCENARIO_HEADER = "X-Demo-Scenario";
    static final String CLIENT_HEADER = "X-Demo-Client";
    static final String NEW = "<new>";
    static final String NEW_ROOT = "<root>";
    static final Pattern ID = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");

    /** The AWS documentation's example Root and Self. */
    static final String ROOT = "Root=1-67891233-abcdef012345678912345678";
    static final String SELF = "Self=1-67891234-12456789abcdef012345678";

    private Demo() {
    }

    /** One request to the front: the headers the balancer sends, what the front's code sets, what SPEC says. */
    static final class Scenario {
        final String name;
        final String title;
        final List<String> incoming;
        final List<String> appSet;
        final String expect;

        Scenario(String name, String title, List<String> incoming, List<String> appSet, String expect) {
            this.name = name;
            this.title = title;
            this.incoming = incoming;
            this.appSet = appSet;
            this.expect = expect;
        }
    }

    static List<Scenario> scenarios() {
        List<Scenario> s = new ArrayList<>();
        s.add(new Scenario("no-header", "no header comes in: the front starts a new Root, each call its own Self",
                List.of(), List.of(), "Self=<new>;Root=<root>"));
        s.add(new Scenario("alb-root", "a Root-only header, as an ALB sends it: the Root kept, each call its own Self",
                List.of(ROOT), List.of(), "Self=<new>;" + ROOT));
        s.add(new Scenario("self-custom", "Self, Root and a custom field come in: Self updated, the rest kept in order",
                List.of(SELF + ";" + ROOT + ";CalledFrom=alb"), List.of(),
                "Self=<new>;" + ROOT + ";CalledFrom=alb"));
        s.add(new Scenario("two-copies", "two headers come in: the first counts, exactly one leaves",
                List.of(ROOT + ";CalledFrom=first", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second"),
                List.of(), "Self=<new>;" + ROOT + ";CalledFrom=first"));
        s.add(new Scenario("malformed", "an invalid Root and malformed parts: a new Root, bad parts dropped, custom"
                + " fields kept",
                List.of("Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;odd name=x;Sampled=1;;"
                        + "Parent=53995c3f42cd8ad8"),
                List.of(), "Self=<new>;Root=<root>;Sampled=1;Parent=53995c3f42cd8ad8"));
        s.add(new Scenario("app-set", "the front's own code sets a header on its calls: that header wins",
                List.of(ROOT), List.of("Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=front"),
                "Self=<new>;Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=front"));
        return s;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        long started = System.nanoTime();
        out.println("albtrace demo: X-Amzn-Trace-Id, balancer -> front service -> back service, through "
                + Clients.describe() + ", on Java " + System.getProperty("java.version"));
        out.println("agent: " + agentStatus());

        List<Scenario> scenarios = scenarios();
        Map<String, Scenario> byName = new LinkedHashMap<>();
        scenarios.forEach(sc -> byName.put(sc.name, sc));
        // scenario -> client -> the trace headers the back service received
        Map<String, Map<String, List<String>>> received = new ConcurrentHashMap<>();
        Map<String, String> contexts = new ConcurrentHashMap<>();
        Map<String, String> mdcs = new ConcurrentHashMap<>();
        Map<String, List<String>> failures = new ConcurrentHashMap<>();

        HttpServer back = server();
        back.createContext("/back", exchange -> respond(exchange, () -> {
            String scenario = String.valueOf(exchange.getRequestHeaders().getFirst(SCENARIO_HEADER));
            String client = String.valueOf(exchange.getRequestHeaders().getFirst(CLIENT_HEADER));
            List<String> values = exchange.getRequestHeaders().get(HEADER); // matched case-insensitively
            received.computeIfAbsent(scenario, k -> new ConcurrentHashMap<>())
                    .put(client, values == null ? List.of() : List.copyOf(values));
        }));
        back.start();
        String backUrl = "http://127.0.0.1:" + back.getAddress().getPort() + "/back";

        HttpServer front = server();
        try (Clients clients = new Clients()) {
            front.createContext("/front", exchange -> respond(exchange, () -> {
                Scenario sc = byName.get(exchange.getRequestHeaders().getFirst(SCENARIO_HEADER));
                String context = agentContext();
                if (context != null) {
                    contexts.put(sc.name, context);
                }
                String root = MDC.get("amzn.trace.root");
                String id = MDC.get("amzn.trace.id");
                if (root != null || id != null) {
                    mdcs.put(sc.name, "amzn.trace.root=" + root + " amzn.trace.id=" + id);
                }
                for (Map.Entry<String, Clients.Client> c : clients.all.entrySet()) {
                    Map<String, List<String>> headers = new LinkedHashMap<>();
                    headers.put(SCENARIO_HEADER, List.of(sc.name));
                    headers.put(CLIENT_HEADER, List.of(c.getKey()));
                    if (!sc.appSet.isEmpty()) {
                        headers.put(HEADER, sc.appSet);
                    }
                    String failure;
                    try {
                        failure = c.getValue().get(backUrl, headers);
                    } catch (Exception e) {
                        failure = e.toString();
                    }
                    if (failure != null) {
                        failures.computeIfAbsent(sc.name, k -> new ArrayList<>()).add(c.getKey() + ": " + failure);
                    }
                }
            }));
            front.start();
            int frontPort = front.getAddress().getPort();
            out.println("front service: http://127.0.0.1:" + frontPort + "/front (calls the back service once with"
                    + " each client: " + String.join(", ", clients.all.keySet()) + ")");
            out.println("back service: " + backUrl + " (records the " + HEADER + " headers it receives)");
            out.println("the balancer is played by a plain socket, so what it sends reaches the front byte for byte");

            int ok = 0;
            int unchanged = 0;
            int mismatch = 0;
            for (Scenario sc : scenarios) {
                String status = balancer(frontPort, sc);
                out.println();
                out.println("== " + sc.name + ": " + sc.title);
                line(out, sc, "incoming", sc.incoming);
                if (contexts.containsKey(sc.name)) {
                    line(out, sc, "context", List.of(contexts.get(sc.name)));
                }
                line(out, sc, "mdc", mdcs.containsKey(sc.name) ? List.of(mdcs.get(sc.name)) : List.of());
                if (!sc.appSet.isEmpty()) {
                    line(out, sc, "app-set", sc.appSet);
                }
                line(out, sc, "expect", List.of(sc.expect));
                Map<String, List<String>> got = received.getOrDefault(sc.name, Map.of());
                Set<String> roots = new HashSet<>();
                Set<String> selfs = new HashSet<>();
                int scOk = 0;
                int scUnchanged = 0;
                int scBad = 0;
                List<String> problems = new ArrayList<>(failures.getOrDefault(sc.name, List.of()));
                if (!status.startsWith("HTTP/1.1 200")) {
                    problems.add("the front answered " + status);
                }
                for (String client : clients.all.keySet()) {
                    List<String> arrived = got.getOrDefault(client, List.of());
                    line(out, sc, client, arrived);
                    String[] ids = arrived.size() == 1 ? matches(sc, arrived.get(0)) : null;
                    if (ids != null) {
                        scOk++;
                        selfs.add(ids[0]);
                        roots.add(ids[1]);
                    } else if (arrived.equals(sc.appSet)) {
                        scUnchanged++;
                    } else {
                        scBad++;
                        problems.add(client + (arrived.size() == 1 ? " arrived other than SPEC says"
                                : ": " + arrived.size() + " headers arrived, SPEC: exactly one"));
                    }
                }
                int calls = clients.all.size();
                if (scOk > 0 && (selfs.size() != scOk || roots.size() != 1)) {
                    problems.add("the calls of one request must share one Root and each have its own Self: "
                            + roots.size() + " Roots, " + selfs.size() + " Selfs in " + scOk + " calls");
                }
                String verdict;
                if (!problems.isEmpty()) {
                    verdict = "MISMATCH " + String.join("; ", problems);
                    scBad = Math.max(1, scBad);
                } else if (scOk == calls) {
                    verdict = "OK " + scOk + " of " + calls + " calls follow SPEC: one Root, " + calls
                            + " distinct new Selfs";
                } else {
                    verdict = (scOk == 0 ? "UNCHANGED " : "PARTLY ") + scOk + " of " + calls
                            + " calls follow SPEC, the others arrived exactly as the front's code set them"
                            + (agentAttached() ? "" : " (no agent attached)");
                }
                ok += scOk;
                unchanged += scUnchanged;
                mismatch += scBad;
                line(out, sc, "verdict", List.of(verdict));
            }
            out.println();
            out.println("summary: " + scenarios.size() + " scenarios, " + scenarios.size() * clients.all.size()
                    + " calls: " + ok + " OK (follow SPEC), " + unchanged + " UNCHANGED, " + mismatch
                    + " MISMATCH, in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
            out.flush();
            front.stop(0);
            back.stop(0);
            System.exit(mismatch == 0 ? 0 : 1);
        }
    }

    private static HttpServer server() throws IOException {
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    }

    /**
     * The balancer's hop: a raw HTTP/1.1 request over a socket (no HTTP client, so nothing rewrites it on the
     * way) with the scenario's incoming headers. Returns the front's status line.
     */
    private static String balancer(int port, Scenario sc) throws IOException {
        StringBuilder request = new StringBuilder()
                .append("GET /front HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append(SCENARIO_HEADER).append(": ").append(sc.name).append("\r\n");
        for (String value : sc.incoming) {
            request.append(HEADER).append(": ").append(value).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                response.write(buffer, 0, n);
            }
            String text = response.toString(StandardCharsets.US_ASCII);
            int eol = text.indexOf("\r\n");
            return eol < 0 ? "(no status line)" : text.substring(0, eol);
        }
    }

    /** Work that serves a request; the exchange is answered 200 when it returns, 500 when it throws. */
    private interface Work {
        void run() throws IOException;
    }

    private static void respond(HttpExchange exchange, Work work) throws IOException {
        try {
            int status = 200;
            try {
                work.run();
            } catch (RuntimeException | IOException e) {
                status = 500;
                e.printStackTrace();
            }
            byte[] body = (status == 200 ? "ok\n" : "failed\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    private static void line(PrintStream out, Scenario sc, String what, List<String> values) {
        String label = String.format("   %s %-13s : ", sc.name, what);
        if (values.isEmpty()) {
            out.println(label + "(none)");
        }
        for (String v : values) {
            out.println(label + v);
        }
    }

    /**
     * When {@code actual} is the scenario's expected header, with {@code <new>} and {@code <root>} fresh
     * identifiers (well formed, made within a day, none the balancer or the application sent): the Self and the
     * Root it holds. Else null.
     */
    static String[] matches(Scenario sc, String actual) {
        StringBuilder regex = new StringBuilder();
        Matcher tokens = Pattern.compile(Pattern.quote(NEW) + "|" + Pattern.quote(NEW_ROOT)).matcher(sc.expect);
        int at = 0;
        while (tokens.find()) {
            regex.append(Pattern.quote(sc.expect.substring(at, tokens.start())));
            regex.append('(').append(ID.pattern()).append(')');
            at = tokens.end();
        }
        regex.append(Pattern.quote(sc.expect.substring(at)));
        Matcher m = Pattern.compile(regex.toString()).matcher(actual);
        if (!m.matches()) {
            return null;
        }
        long now = System.currentTimeMillis() / 1000;
        List<String> sent = new ArrayList<>(sc.incoming);
        sent.addAll(sc.appSet);
        for (int g = 1; g <= m.groupCount(); g++) {
            String id = m.group(g);
            if (Math.abs(Long.parseLong(id.substring(2, 10), 16) - now) > 86_400) {
                return null;
            }
            for (String s : sent) {
                if (s.contains(id)) {
                    return null;
                }
            }
        }
        Matcher self = Pattern.compile("(?:^|;)Self=([^;]*)").matcher(actual);
        Matcher root = Pattern.compile("(?:^|;)Root=([^;]*)").matcher(actual);
        return self.find() && root.find() ? new String[] {self.group(1), root.group(1)} : null;
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

    /** The context the agent bound to this thread, read for display only; null without the agent. */
    private static String agentContext() {
        try {
            return (String) Class.forName("io.albtrace.core.Context", false, null).getMethod("current").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static String agentStatus() {
        if (!agentAttached()) {
            return "NOT ATTACHED (io.albtrace.core.Outgoing is not in the bootstrap class loader);"
                    + " nothing is forwarded";
        }
        String status = "ATTACHED (io.albtrace.core.Outgoing is in the bootstrap class loader)";
        try { // what the agent's settings say; only informative
            Class<?> config = Class.forName("io.albtrace.core.Config", false, null);
            Object current = config.getMethod("current").invoke(null);
            if (!(Boolean) config.getMethod("enabled").invoke(current)) {
                return status + ", but albtrace.enabled=false: it installed nothing";
            }
            List<String> off = new ArrayList<>();
            for (String name : List.of("jdk-httpserver", "okhttp", "apache-httpclient", "jdk-httpclient",
                    "http-url-connection")) {
                if (!(Boolean) config.getMethod("instrumentationEnabled", String.class).invoke(current, name)) {
                    off.add(name);
                }
            }
            if (!off.isEmpty()) {
                status += ", instrumentation switched off: " + String.join(", ", off);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // an agent version without these methods: say nothing more
        }
        return status;
    }
}

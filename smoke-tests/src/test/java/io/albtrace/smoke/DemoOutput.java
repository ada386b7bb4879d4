package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's output, parsed ({@code <scenario> <what> : <value>} lines), and what SPEC sections 3 to 5 say
 * about each hop. The expectations are written here independently of the demo's own verdicts.
 */
final class DemoOutput {

    /** A new identifier as the agent writes it. */
    static final String NEW_ID = "1-[0-9a-f]{8}-[0-9a-f]{24}";

    static final String ROOT = "Root=1-67891233-abcdef012345678912345678";
    static final String SELF = "Self=1-67891234-12456789abcdef012345678";

    /** The front service's clients, in the order it calls them, with the instrumentation that covers each. */
    static final Map<String, String> CLIENTS = new LinkedHashMap<>();

    static {
        CLIENTS.put("okhttp", "okhttp");
        CLIENTS.put("okhttp-async", "okhttp");
        CLIENTS.put("apache5", "apache-httpclient");
        CLIENTS.put("apache5-async", "apache-httpclient");
        CLIENTS.put("apache4", "apache-httpclient");
        CLIENTS.put("jdk", "jdk-httpclient");
        CLIENTS.put("jdk-async", "jdk-httpclient");
        CLIENTS.put("urlconnection", "http-url-connection");
    }

    /**
     * A scenario: the headers the balancer sends to the front, what the front's code sets on its calls, the
     * context the front serves the request in, and what each call must carry ({@code <new>} a fresh id per
     * call, {@code <root>} a fresh id shared by the scenario's context and calls).
     */
    record Expected(String name, List<String> incoming, List<String> appSet, String context, String arrives) {
    }

    static final List<Expected> EXPECTED = List.of(
            new Expected("no-header", List.of(), List.of(), "Root=<root>", "Self=<new>;Root=<root>"),
            new Expected("alb-root", List.of(ROOT), List.of(), ROOT, "Self=<new>;" + ROOT),
            new Expected("self-custom", List.of(SELF + ";" + ROOT + ";CalledFrom=alb"), List.of(),
                    SELF + ";" + ROOT + ";CalledFrom=alb", "Self=<new>;" + ROOT + ";CalledFrom=alb"),
            new Expected("two-copies",
                    List.of(ROOT + ";CalledFrom=first", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second"),
                    List.of(), ROOT + ";CalledFrom=first", "Self=<new>;" + ROOT + ";CalledFrom=first"),
            new Expected("malformed",
                    List.of("Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;odd name=x;Sampled=1;;"
                            + "Parent=53995c3f42cd8ad8"),
                    List.of(), "Root=<root>;Sampled=1;Parent=53995c3f42cd8ad8",
                    "Self=<new>;Root=<root>;Sampled=1;Parent=53995c3f42cd8ad8"),
            new Expected("app-set", List.of(ROOT),
                    List.of("Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=front"), ROOT,
                    "Self=<new>;Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=front"));

    private static final Pattern LINE = Pattern.compile("^ {3}([a-z0-9-]+) ([a-z0-9-]+) *: (.*)$");

    final Jvm.Result result;
    final String agentLine;
    /** scenario, then what (incoming, context, mdc, app-set, expect, a client, verdict), then the values. */
    final Map<String, Map<String, List<String>>> scenarios = new LinkedHashMap<>();

    private DemoOutput(Jvm.Result result) {
        this.result = result;
        String agent = null;
        for (String line : result.outLines()) {
            if (line.startsWith("agent: ")) {
                agent = line;
            }
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                List<String> values = scenarios.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                        .computeIfAbsent(m.group(2), k -> new ArrayList<>());
                if (!m.group(3).equals("(none)")) {
                    values.add(m.group(3));
                }
            }
        }
        this.agentLine = agent;
    }

    /** Parses the demo's output; asserts it ran to the end and printed every scenario and every client. */
    static DemoOutput of(Jvm.Result result) {
        assertEquals(0, result.exit(), "the demo's exit status" + result.dump());
        DemoOutput d = new DemoOutput(result);
        assertTrue(d.agentLine != null, "an 'agent:' line" + result.dump());
        assertTrue(result.out().contains("\nsummary: 6 scenarios, 48 calls: "), "a summary line" + result.dump());
        for (Expected e : EXPECTED) {
            Map<String, List<String>> sc = d.scenarios.get(e.name());
            assertTrue(sc != null, "scenario " + e.name() + " printed" + result.dump());
            assertEquals(e.incoming(), sc.get("incoming"), e.name() + ": what the balancer sent" + result.dump());
            for (String client : CLIENTS.keySet()) {
                assertTrue(sc.containsKey(client), e.name() + ": a line for " + client + result.dump());
            }
        }
        assertEquals(EXPECTED.size(), d.scenarios.size(), "scenarios printed" + result.dump());
        return d;
    }

    /** Every call of every client follows SPEC: {@link #assertForwardedPerSpec(Set)} for all clients. */
    DemoOutput assertForwardedPerSpec() {
        assertForwardedPerSpec(CLIENTS.keySet());
        assertTrue(result.out().contains("summary: 6 scenarios, 48 calls: 48 OK (follow SPEC), 0 UNCHANGED, 0 MISMATCH"),
                result.dump());
        return this;
    }

    /**
     * For each scenario: the front served the request in the context SPEC section 4 says, with the MDC holding
     * its Root and value; each of {@code clients} delivered exactly one header, the expected fields, each
     * {@code <new>} a fresh identifier of now, the scenario's calls sharing one Root, no identifier used twice.
     */
    DemoOutput assertForwardedPerSpec(Set<String> clients) {
        assertTrue(agentLine.startsWith("agent: ATTACHED"), agentLine + result.dump());
        Set<String> newIds = new HashSet<>();
        for (Expected e : EXPECTED) {
            Map<String, List<String>> sc = scenarios.get(e.name());
            String root = null; // <root>, once seen
            List<String> context = sc.getOrDefault("context", List.of());
            assertEquals(1, context.size(), e.name() + ": the front's context is shown" + result.dump());
            Matcher cm = match(e.name() + " context", e.context(), context.get(0));
            if (e.context().contains("<root>")) {
                root = cm.group(1);
                assertTrue(newIds.add(root), e.name() + ": the new Root " + root + " is new" + result.dump());
                assertFresh(e, root);
            }
            String rootValue = root != null ? root : valueOf(context.get(0), "Root");
            assertEquals(List.of("amzn.trace.root=" + rootValue + " amzn.trace.id=" + context.get(0)),
                    sc.get("mdc"), e.name() + ": the MDC while the front served the request" + result.dump());
            for (String client : clients) {
                List<String> arrived = sc.get(client);
                assertEquals(1, arrived.size(), e.name() + " " + client + ": exactly one header arrives" + result.dump());
                String expected = root == null ? e.arrives() : e.arrives().replace("<root>", root);
                Matcher m = match(e.name() + " " + client, expected, arrived.get(0));
                for (int g = 1; g <= m.groupCount(); g++) {
                    assertFresh(e, m.group(g));
                    assertTrue(newIds.add(m.group(g)), e.name() + " " + client + ": " + m.group(g)
                            + " is new, not reused" + result.dump());
                }
            }
            if (clients.equals(CLIENTS.keySet())) {
                assertTrue(sc.get("verdict").get(0).startsWith("OK "), e.name() + ": the demo's verdict" + result.dump());
            }
        }
        return this;
    }

    /** Each of {@code clients} delivered exactly what the front's code set: nothing, or its own header. */
    DemoOutput assertUnchanged(Set<String> clients) {
        for (Expected e : EXPECTED) {
            Map<String, List<String>> sc = scenarios.get(e.name());
            for (String client : clients) {
                assertEquals(e.appSet(), sc.get(client), e.name() + " " + client + ": arrives unchanged" + result.dump());
            }
        }
        return this;
    }

    /** Nothing changed on the wire for any client, and no context was bound. */
    DemoOutput assertUnchanged() {
        assertUnchanged(CLIENTS.keySet());
        for (Expected e : EXPECTED) {
            Map<String, List<String>> sc = scenarios.get(e.name());
            assertEquals(List.of(), sc.getOrDefault("mdc", List.of()), e.name() + ": no MDC" + result.dump());
            assertTrue(sc.get("verdict").get(0).startsWith("UNCHANGED "), e.name() + ": the demo's verdict"
                    + result.dump());
        }
        assertTrue(result.out().contains("summary: 6 scenarios, 48 calls: 0 OK (follow SPEC), 48 UNCHANGED, 0 MISMATCH"),
                result.dump());
        return this;
    }

    /** The clients an instrumentation covers. */
    static Set<String> clientsOf(String instrumentation) {
        Set<String> s = new HashSet<>();
        CLIENTS.forEach((client, name) -> {
            if (name.equals(instrumentation)) {
                s.add(client);
            }
        });
        return s;
    }

    private Matcher match(String what, String template, String actual) {
        Matcher m = Pattern.compile(regex(template)).matcher(actual);
        assertTrue(m.matches(), what + ": [" + actual + "], SPEC says [" + template + "]" + result.dump());
        return m;
    }

    private void assertFresh(Expected e, String id) {
        long made = Long.parseLong(id.substring(2, 10), 16);
        assertTrue(Math.abs(Instant.now().getEpochSecond() - made) < 600, e.name() + ": " + id + " is made now"
                + result.dump());
        for (String sent : e.incoming()) {
            assertTrue(!sent.contains(id), e.name() + ": " + id + " is not one the balancer sent");
        }
        for (String sent : e.appSet()) {
            assertTrue(!sent.contains(id), e.name() + ": " + id + " is not one the application sent");
        }
    }

    private static String valueOf(String header, String field) {
        for (String part : header.split(";")) {
            if (part.startsWith(field + "=")) {
                return part.substring(field.length() + 1);
            }
        }
        return null;
    }

    /** {@code <new>} and {@code <root>} become capturing groups for an identifier; everything else is literal. */
    static String regex(String template) {
        StringBuilder sb = new StringBuilder();
        Matcher tokens = Pattern.compile("<new>|<root>").matcher(template);
        int at = 0;
        while (tokens.find()) {
            sb.append(Pattern.quote(template.substring(at, tokens.start())));
            sb.append('(').append(NEW_ID).append(')');
            at = tokens.end();
        }
        sb.append(Pattern.quote(template.substring(at)));
        return sb.toString();
    }
}

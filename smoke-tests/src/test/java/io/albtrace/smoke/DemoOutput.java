package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * The demo's output, parsed ({@code <scenario> <what> : <value>} lines), and what SPEC section 3 says must
 * arrive in each scenario. The expectations are written here independently of the demo's own verdicts.
 */
final class DemoOutput {

    /** A new identifier as the agent writes it. */
    static final String NEW_ID = "1-[0-9a-f]{8}-[0-9a-f]{24}";

    static final String ROOT = "Root=1-67891233-abcdef012345678912345678";
    static final String SELF = "Self=1-67891234-12456789abcdef012345678";

    /** Scenario, what the application sets (in order), what must arrive (a regex; {@code <new>} a fresh id). */
    record Expected(String name, List<String> appSet, String arrives) {
    }

    static final List<Expected> EXPECTED = List.of(
            new Expected("no-header", List.of(), "Root=<new>"),
            new Expected("alb-root", List.of(ROOT), "Self=<new>;" + ROOT),
            new Expected("self-custom", List.of(SELF + ";" + ROOT + ";CalledFrom=app"),
                    "Self=<new>;" + ROOT + ";CalledFrom=app"),
            new Expected("two-copies",
                    List.of(ROOT + ";CalledFrom=first", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second"),
                    "Self=<new>;" + ROOT + ";CalledFrom=first"),
            new Expected("async", List.of(ROOT + ";Sampled=1"), "Self=<new>;" + ROOT + ";Sampled=1"),
            new Expected("malformed",
                    List.of("Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;odd name=x;Sampled=1;;"
                            + "Parent=53995c3f42cd8ad8"),
                    "Root=<new>;Sampled=1;Parent=53995c3f42cd8ad8"));

    private static final Pattern LINE = Pattern.compile("^ {3}([a-z0-9-]+) (expect |app-set|arrived|verdict) : (.*)$");

    /** One scenario as the demo printed it. */
    static final class Scenario {
        final List<String> appSet = new ArrayList<>();
        final List<String> arrived = new ArrayList<>();
        String verdict;
    }

    final Jvm.Result result;
    final String agentLine;
    final Map<String, Scenario> scenarios = new LinkedHashMap<>();

    private DemoOutput(Jvm.Result result) {
        this.result = result;
        String agent = null;
        for (String line : result.outLines()) {
            if (line.startsWith("agent: ")) {
                agent = line;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Scenario sc = scenarios.computeIfAbsent(m.group(1), k -> new Scenario());
            String value = m.group(3);
            switch (m.group(2)) {
                case "app-set":
                    if (!value.equals("(none)")) {
                        sc.appSet.add(value);
                    }
                    break;
                case "arrived":
                    if (!value.equals("(none)")) {
                        sc.arrived.add(value);
                    }
                    break;
                case "verdict":
                    sc.verdict = value;
                    break;
                default:
                    break;
            }
        }
        this.agentLine = agent;
    }

    /** Parses the demo's output; asserts it ran to the end and printed every scenario. */
    static DemoOutput of(Jvm.Result result) {
        assertEquals(0, result.exit(), "the demo's exit status" + result.dump());
        DemoOutput d = new DemoOutput(result);
        assertTrue(d.agentLine != null, "an 'agent:' line" + result.dump());
        assertTrue(result.out().contains("\nsummary: 6 scenarios"), "a summary line" + result.dump());
        for (Expected e : EXPECTED) {
            Scenario sc = d.scenarios.get(e.name());
            assertTrue(sc != null, "scenario " + e.name() + " printed" + result.dump());
            assertEquals(e.appSet(), sc.appSet, e.name() + ": what the application set" + result.dump());
        }
        assertEquals(EXPECTED.size(), d.scenarios.size(), "scenarios printed" + result.dump());
        return d;
    }

    /**
     * Every scenario's arrived header is exactly what SPEC section 3 says: one header, the expected fields,
     * each {@code <new>} a fresh identifier of now; no two requests share a new identifier.
     */
    DemoOutput assertForwardedPerSpec() {
        assertTrue(agentLine.startsWith("agent: ATTACHED"), agentLine + result.dump());
        Set<String> newIds = new HashSet<>();
        for (Expected e : EXPECTED) {
            Scenario sc = scenarios.get(e.name());
            assertEquals(1, sc.arrived.size(), e.name() + ": exactly one header arrives" + result.dump());
            String arrived = sc.arrived.get(0);
            Matcher m = Pattern.compile(regex(e.arrives())).matcher(arrived);
            assertTrue(m.matches(), e.name() + ": arrived [" + arrived + "], SPEC says [" + e.arrives() + "]"
                    + result.dump());
            long now = Instant.now().getEpochSecond();
            for (int g = 1; g <= m.groupCount(); g++) {
                String id = m.group(g);
                long made = Long.parseLong(id.substring(2, 10), 16);
                assertTrue(Math.abs(now - made) < 600, e.name() + ": " + id + " is made now" + result.dump());
                assertTrue(newIds.add(id), e.name() + ": " + id + " is new, not reused" + result.dump());
                for (String sent : e.appSet()) {
                    assertTrue(!sent.contains(id), e.name() + ": " + id + " is not one the application sent");
                }
            }
            assertTrue(sc.verdict.startsWith("OK "), e.name() + ": the demo's verdict " + sc.verdict + result.dump());
        }
        assertTrue(result.out().contains("summary: 6 scenarios: 6 OK (follow SPEC), 0 UNCHANGED, 0 MISMATCH"),
                result.dump());
        return this;
    }

    /** Every header arrives exactly as the application set it: the same copies, byte for byte. */
    DemoOutput assertUnchanged() {
        for (Expected e : EXPECTED) {
            Scenario sc = scenarios.get(e.name());
            assertEquals(e.appSet(), sc.arrived, e.name() + ": arrives unchanged" + result.dump());
            assertTrue(sc.verdict.startsWith("UNCHANGED "), e.name() + ": the demo's verdict" + result.dump());
        }
        assertNotEquals(null, agentLine);
        return this;
    }

    /** {@code <new>} becomes a capturing group for an identifier; everything else is literal. */
    static String regex(String template) {
        StringBuilder sb = new StringBuilder();
        String[] pieces = template.split("<new>", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                sb.append('(').append(NEW_ID).append(')');
            }
            sb.append(Pattern.quote(pieces[i]));
        }
        return sb.toString();
    }
}

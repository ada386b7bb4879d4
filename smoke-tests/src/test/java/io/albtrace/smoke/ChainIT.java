package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.smoke.Chain.Case;
import io.albtrace.smoke.Chain.Mdc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole chain, as a user runs it: the test sends a request to a front service (its own JVM, the built agent
 * attached), which calls a back service (another JVM with the agent) through every client it has; the back service
 * reports what arrived. The matrix: each library line on JDK 17 and on Temurin 25, each cell a real JVM with that JDK
 * and those library versions on its class path (target/apps/lib/&lt;set&gt;, see the pom).
 */
class ChainIT {

    /** A cell of the matrix: a JDK, a library set, and which jar each client must come from. */
    record Cell(Path jdk, String set, Map<String, String> jars, Mdc mdc) {
        List<String> clients() {
            List<String> all = new ArrayList<>();
            for (String client : Chain.ALL_CLIENTS) {
                if (Chain.JDK_CLIENTS.contains(client) || jars.containsKey(client.replace("-async", ""))) {
                    all.add(client);
                }
            }
            return all;
        }

        @Override
        public String toString() {
            return "JDK " + Jvm.feature(jdk) + ", " + set;
        }
    }

    private static final Map<String, String> NEWEST = Map.of("okhttp", "okhttp-jvm-5.", "apache5", "httpclient5-5.6.",
            "apache4", "httpclient-4.5.");
    private static final Map<String, String> OKHTTP4_HTTPCLIENT50 = Map.of("okhttp", "okhttp-4.12.",
            "apache5", "httpclient5-5.0.");
    private static final Map<String, String> OKHTTP3_HTTPCLIENT4 = Map.of("okhttp", "okhttp-3.14.",
            "apache4", "httpclient-4.5.");

    private static Jvm.Service back;

    @BeforeAll
    static void startBack() {
        back = Jvm.java().named("chain-back").jvmArgs(Jvm.javaagent())
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0");
    }

    @AfterAll
    static void stopBack() {
        if (back != null) {
            back.close();
        }
    }

    /**
     * Reports in the test results whether the matrix ran on both JDKs: skipped, with the reason, when Temurin 25 is not
     * installed; failed then with {@code -Dalbtrace.smoke.require.jdk25=true} (CI sets it: its machines have it).
     */
    @Test
    void theMatrixRanOnJdk25Too() {
        String missing = Jvm.jdk25Missing();
        if (missing != null) {
            System.err.println("[ChainIT] " + missing);
            if (Jvm.REQUIRE_JDK25) {
                org.junit.jupiter.api.Assertions.fail(missing);
            }
            org.junit.jupiter.api.Assumptions.abort(missing);
        }
        assertEquals(25, Jvm.feature(Jvm.JDK25), Jvm.JDK25 + " is not a JDK 25");
    }

    static Stream<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (Path jdk : Jvm.jdks()) {
            cells.add(new Cell(jdk, "default", NEWEST, Mdc.FILLED));
            cells.add(new Cell(jdk, "okhttp4-httpclient50", OKHTTP4_HTTPCLIENT50, Mdc.EMPTY));
            cells.add(new Cell(jdk, "okhttp3-httpclient4", OKHTTP3_HTTPCLIENT4, Mdc.NO_SLF4J));
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void everyClientForwardsPerSpec(Cell cell) {
        try (Jvm.Service front = front(cell, "chain-" + Jvm.feature(cell.jdk()) + "-" + cell.set(), Jvm.javaagent())) {
            Chain.Report first = null;
            for (Case c : Case.values()) {
                Chain.Report r = Chain.request(front.uri(), c.incoming);
                Chain.assertChain(r, c, cell.clients(), cell.mdc());
                first = first == null ? r : first;
            }
            assertLibraries(cell, first, front);

            // SPEC 5.1: a header the application set wins, over the request's context; of two, the first counts.
            String own = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";
            String other = "Root=1-5759e988-00002e3fe1be46a994272793;CalledFrom=other";
            for (String[] set : List.of(new String[] {own}, new String[] {own, other})) {
                Chain.Report r = Chain.request(front.uri(), Chain.FULL, set);
                for (Chain.Call call : r.calls()) {
                    assertEquals(1, call.values().size(), call.client() + ": one header leaves\n" + r.raw());
                    io.albtrace.testing.Trace.assertForwarded(
                            "Self={NEW};Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own", own,
                            call.values().get(0));
                }
            }
            assertEquals(List.of(), front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                    "the agent had nothing to warn about" + front.dump());
        }
    }

    /**
     * SPEC 5 across threads: the front makes every call from a pool thread ({@code submit}), a
     * {@code CompletableFuture.supplyAsync} stage and, on Java 21+, a virtual thread; the request's context goes
     * with each (the executors instrumentation), and each call follows the SPEC as from the serving thread.
     */
    @Test
    void everyClientForwardsFromOtherThreads() {
        for (Path jdk : Jvm.jdks()) {
            Cell cell = new Cell(jdk, "default", NEWEST, Mdc.FILLED);
            List<String> vias = Jvm.feature(jdk) >= 21 ? List.of("executor", "completable", "virtual")
                    : List.of("executor", "completable");
            try (Jvm.Service front = front(cell, "chain-handover-" + Jvm.feature(jdk), Jvm.javaagent())) {
                for (String via : vias) {
                    for (Case c : Case.values()) {
                        Chain.assertChain(Chain.requestPath(front.uri(), "/chain/" + via, c.incoming), c, cell.clients(),
                                cell.mdc());
                    }
                }
                assertEquals(List.of(), front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                        "the agent had nothing to warn about" + front.dump());
            }
        }
    }

    /** SPEC 6: with JAVA_TOOL_OPTIONS, as in a container image, rather than a -javaagent on the command line. */
    @Test
    void javaToolOptionsAttachesTheAgent() {
        Cell cell = new Cell(Jvm.jdks().get(0), "default", NEWEST, Mdc.FILLED);
        Jvm jvm = Jvm.java().named("chain-java-tool-options").home(cell.jdk())
                .env("JAVA_TOOL_OPTIONS", Jvm.javaagent());
        try (Jvm.Service front = jvm.service(Jvm.frontClassPath(cell.set()), "io.albtrace.smoke.apps.FrontApp", "0",
                back.uri().toString())) {
            for (Case c : Case.values()) {
                Chain.assertChain(Chain.request(front.uri(), c.incoming), c, cell.clients(), cell.mdc());
            }
            assertTrue(front.err().contains("Picked up JAVA_TOOL_OPTIONS: " + Jvm.javaagent()), front.dump());
        }
    }

    /** Without the agent, and with the agent switched off: the calls leave exactly as the application made them. */
    @Test
    void withoutTheAgentOrSwitchedOffNothingIsAdded() {
        Cell cell = new Cell(Jvm.jdks().get(0), "default", NEWEST, Mdc.FILLED);
        String own = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";
        String[][] runs = {{}, {Jvm.javaagent(), "-Dalbtrace.enabled=false"}};
        for (String[] args : runs) {
            try (Jvm.Service front = front(cell, "chain-unchanged", args)) {
                for (Case c : Case.values()) {
                    Chain.Report r = Chain.request(front.uri(), c.incoming);
                    Chain.assertUnchanged(r, cell.clients(), List.of());
                    assertEquals("-\t-", r.mdc(), "no agent, no MDC\n" + r.raw());
                }
                Chain.assertUnchanged(Chain.request(front.uri(), Chain.FULL, own, own + "2"), cell.clients(),
                        List.of(own, own + "2"));
            }
        }
    }

    private static Jvm.Service front(Cell cell, String name, String... jvmArgs) {
        return Jvm.java().named(name).home(cell.jdk()).jvmArgs(jvmArgs)
                .service(Jvm.frontClassPath(cell.set()), "io.albtrace.smoke.apps.FrontApp", "0", back.uri().toString());
    }

    /** The cell really ran the versions it names: each client's classes came from that jar. */
    private static void assertLibraries(Cell cell, Chain.Report r, Jvm.Service front) {
        for (Chain.Call call : r.calls()) {
            String family = call.client().replace("-async", "");
            String expected = Chain.JDK_CLIENTS.contains(call.client()) ? "jdk-" + Jvm.feature(cell.jdk())
                    : cell.jars().get(family);
            assertTrue(call.library().startsWith(expected), call.client() + " came from " + call.library()
                    + ", not " + expected + front.dump());
        }
    }
}

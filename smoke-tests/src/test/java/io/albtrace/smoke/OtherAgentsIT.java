package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.smoke.Chain.Case;
import io.albtrace.smoke.Chain.Mdc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Another tracing agent beside albtrace: OpenTelemetry's Java agent and Datadog's, as Maven Central serves them, each
 * given before and after albtrace's {@code -javaagent}, on the front service (every client it has; JDK 17). Nothing
 * leaves the machine: their exporters are off or pointed at a closed port on 127.0.0.1, their telemetry and remote
 * configuration off.
 * <ul>
 *   <li>With the X-Ray propagator ({@code otel.propagators=xray}, {@code dd.trace.propagation.style=xray}) they write
 *       {@code X-Amzn-Trace-Id} on every call, a trace of their own ({@code Root}, their span as {@code Parent},
 *       {@code Sampled}): each call still forwards the request's Root, a new Self and the custom fields, with their
 *       {@code Parent} and {@code Sampled} in it (README, "Other tracing agents"), for a full, a Root-only, a
 *       malformed and no incoming header, and one with a {@code Parent}; albtrace says so once on stderr.</li>
 *   <li>With their default propagators they write headers of their own and leave {@code X-Amzn-Trace-Id} alone:
 *       albtrace's header is exact per SPEC, theirs arrive too, and albtrace has nothing to say.</li>
 *   <li>A header the application sets itself wins without X-Ray; with it, the agents replace it before albtrace
 *       reads it, except on OkHttp, where albtrace reads it when the call is made: there it still wins.</li>
 * </ul>
 * One front JVM per agent, order and propagator, reused for every request, with the newest libraries; and one with
 * OkHttp 4.12 and HttpClient 5.0 (OkHttp's value is written when the call is made, and OpenTelemetry's interceptor
 * writes over it).
 */
class OtherAgentsIT {

    enum Agent {
        OPENTELEMETRY("OpenTelemetry's Java agent", "opentelemetry-javaagent.jar", "albtrace.smoke.otel.version",
                "otel.propagators", "traceparent"),
        DATADOG("Datadog's Java agent", "dd-java-agent.jar", "albtrace.smoke.dd.version", "dd.trace.propagation.style",
                "x-datadog-trace-id");

        /** How albtrace names it. */
        final String display;
        final String jar;
        final String versionProperty;
        /** Their setting that makes them write X-Amzn-Trace-Id (named in albtrace's report). */
        final String setting;
        /** A header they write by default. */
        final String ownHeader;

        Agent(String name, String jar, String versionProperty, String setting, String ownHeader) {
            this.display = name;
            this.jar = jar;
            this.versionProperty = versionProperty;
            this.setting = setting;
            this.ownHeader = ownHeader;
        }

        Path jar() {
            Path p = Paths.get(System.getProperty("albtrace.smoke.other.agents", "target/other-agents")).resolve(jar);
            assertTrue(Files.isRegularFile(p), "no " + p + ": run the tests with mvn verify (the pom fetches it)");
            return p;
        }

        /** Their settings: nothing sent anywhere; with {@code xray}, the X-Ray propagator. */
        List<String> settings(boolean xray, int closedPort) {
            List<String> args = new ArrayList<>();
            if (this == OPENTELEMETRY) {
                args.addAll(List.of("-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
                        "-Dotel.logs.exporter=none"));
            } else {
                args.addAll(List.of("-Ddd.trace.agent.url=http://127.0.0.1:" + closedPort,
                        "-Ddd.instrumentation.telemetry.enabled=false", "-Ddd.remote_configuration.enabled=false",
                        "-Ddd.profiling.enabled=false", "-Ddd.appsec.enabled=false", "-Ddd.jmxfetch.enabled=false",
                        "-Ddd.data.streams.enabled=false", "-Ddd.crashtracking.enabled=false",
                        "-Ddd.trace.health.metrics.enabled=false"));
            }
            if (xray) {
                args.add("-D" + setting + "=xray");
            }
            return args;
        }
    }

    /** An agent, before or after albtrace, with or without X-Ray, on the front with a library set (ChainIT's). */
    record Cell(Agent agent, boolean albtraceFirst, boolean xray, String set) {
        /** The front's clients: every one but Apache HttpClient 4.5 in the okhttp4-httpclient50 set. */
        List<String> clients() {
            return set.equals("default") ? Chain.ALL_CLIENTS
                    : Chain.ALL_CLIENTS.stream().filter(c -> !c.equals("apache4")).toList();
        }

        /** The default set has Logback (the MDC filled), okhttp4-httpclient50 SLF4J alone (left empty). */
        Mdc mdc() {
            return set.equals("default") ? Mdc.FILLED : Mdc.EMPTY;
        }

        @Override
        public String toString() {
            return agent.display + " " + System.getProperty(agent.versionProperty, "") + (albtraceFirst ? " after" : " before")
                    + " albtrace, " + (xray ? agent.setting + "=xray" : "its default propagators") + ", " + set;
        }
    }

    /** A request whose header has a Parent, as a service behind one of these agents receives it. */
    private static final String WITH_PARENT = "Root=" + Chain.ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1";
    /** A header the application sets on its calls (the seeds' case). */
    private static final String OWN = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";

    private static Jvm.Service back;
    private static int closedPort;

    @BeforeAll
    static void startBack() throws IOException {
        back = Jvm.java().named("other-agents-back").jvmArgs(Jvm.javaagent())
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0");
        // a port on 127.0.0.1 that nothing listens on: where Datadog's agent sends its traces, in vain
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterAll
    static void stopBack() {
        if (back != null) {
            back.close();
        }
    }

    static Stream<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (Agent agent : Agent.values()) {
            for (boolean xray : new boolean[] {true, false}) {
                cells.add(new Cell(agent, true, xray, "default"));
                cells.add(new Cell(agent, false, xray, "default"));
            }
        }
        // OkHttp 4 (its value written when the call is made, their interceptor writing over it) and HttpClient 5.0
        cells.add(new Cell(Agent.OPENTELEMETRY, false, true, "okhttp4-httpclient50"));
        return cells.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void theRequestsRootAndFieldsGoOn(Cell cell) {
        List<String> args = new ArrayList<>();
        String theirs = "-javaagent:" + cell.agent().jar();
        args.add(cell.albtraceFirst() ? Jvm.javaagent() : theirs);
        args.add(cell.albtraceFirst() ? theirs : Jvm.javaagent());
        args.addAll(cell.agent().settings(cell.xray(), closedPort));
        String name = "other-agents-" + cell.agent().name().toLowerCase() + (cell.albtraceFirst() ? "-after" : "-before")
                + (cell.xray() ? "-xray-" : "-default-") + cell.set();
        // their start-up, on a loaded 2-core machine, takes some seconds
        try (Jvm.Service front = Jvm.java().named(name).timeout(Duration.ofSeconds(120)).jvmArgs(args.toArray(new String[0]))
                .service(Jvm.frontClassPath(cell.set()), "io.albtrace.smoke.apps.FrontApp", "0",
                        back.uri().toString())) {
            for (Case c : Case.values()) {
                Chain.Report r = Chain.request(front.uri(), c.incoming);
                if (cell.xray()) {
                    Chain.assertChain(r, c.incoming, c.context, c.call + ";Parent={SPAN};Sampled=1", cell.clients(),
                            cell.mdc());
                } else {
                    Chain.assertChain(r, c, cell.clients(), cell.mdc());
                    for (String client : cell.clients()) {
                        assertEquals(1, r.others(client).getOrDefault(cell.agent().ownHeader, List.of()).size(),
                                client + ": " + cell.agent().display + " sends its own " + cell.agent().ownHeader + "\n"
                                        + r.raw());
                    }
                }
            }
            // their Parent replaces the one the request came with, in place
            Chain.Report r = Chain.request(front.uri(), WITH_PARENT);
            Chain.assertChain(r, WITH_PARENT, WITH_PARENT,
                    "Self={NEW};Root=" + Chain.ROOT + (cell.xray() ? ";Parent={SPAN};Sampled=1"
                            : ";Parent=53995c3f42cd8ad8;Sampled=1"), cell.clients(), cell.mdc());

            // the application's own header: without X-Ray they leave it alone and it wins (SPEC 5.1); with it they
            // replace it before albtrace reads it, except on OkHttp, where albtrace reads it when the call is made
            r = Chain.request(front.uri(), Chain.FULL, OWN);
            Chain.assertChain(r, Chain.FULL, Chain.FULL,
                    client -> !cell.xray() ? "Self={NEW};" + OWN
                            : client.startsWith("okhttp") ? "Self={NEW};" + OWN + ";Parent={SPAN};Sampled=1"
                            : Case.FULL_HEADER.call + ";Parent={SPAN};Sampled=1", cell.clients(), cell.mdc());

            List<String> said = front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList();
            if (cell.xray()) {
                assertEquals(1, said.size(), "said once" + front.dump());
                String line = said.get(0);
                assertTrue(line.startsWith("[albtrace] " + cell.agent().display + " writes X-Amzn-Trace-Id on outgoing"
                        + " calls too (") && line.contains(cell.agent().setting + " with xray")
                        && line.contains("albtrace.other.agent.header=theirs"), line);
            } else {
                assertEquals(List.of(), said, "nothing to say" + front.dump());
            }
        }
    }
}

package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.smoke.Chain.Case;
import io.albtrace.smoke.Chain.Mdc;
import io.albtrace.testing.Trace;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Spring Boot WebFlux service as a user runs it ({@code smoke-tests/webflux-app}): its own JVM with the built agent
 * attached by {@code -javaagent}, WebFlux on the Reactor Netty server Spring Boot brings, Logback with
 * {@code %X{amzn.trace.root}} and {@code %X{amzn.trace.id}} in its pattern. For each incoming header its controller
 * calls the back service with {@code WebClient}, again in a {@code flatMap} after the first response, with the JDK's
 * {@code HttpClient} on {@code boundedElastic} and after {@code publishOn(parallel())}, and with
 * {@code RestClient.create()} (on Reactor Netty); the test checks every hop against the SPEC and the MDC in the real
 * log line the request wrote on the event loop. On JDK 17 and Temurin 25, on Spring Boot 4 (Reactor Netty 1.3, Netty
 * 4.2) and 3.5 (Reactor Netty 1.2, Netty 4.1).
 */
class WebFluxIT {

    static final List<String> CLIENTS = List.of("webclient", "webclient-then", "boundedelastic", "parallel-map",
            "restclient");

    private static Jvm.Service back;

    @BeforeAll
    static void startBack() {
        back = Jvm.java().named("webflux-back").jvmArgs(Jvm.javaagent())
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0");
    }

    @AfterAll
    static void stopBack() {
        if (back != null) {
            back.close();
        }
    }

    /** Which build of the application: Spring Boot 4 ({@code webflux-app}) or 3.5 ({@code webflux-app/boot35}). */
    enum Boot {
        BOOT_4("albtrace.smoke.webflux.app", "albtrace-webflux-front", "albtrace.smoke.spring.boot.version"),
        BOOT_35("albtrace.smoke.webflux35.app", "albtrace-webflux-front-35", "albtrace.smoke.spring.boot35.version");

        final Path dir;
        final String jar;
        final String version;

        Boot(String dirProperty, String jar, String versionProperty) {
            this.dir = Paths.get(System.getProperty(dirProperty));
            this.jar = jar;
            this.version = System.getProperty(versionProperty);
        }
    }

    record Run(Path jdk, Boot boot) {
        @Override
        public String toString() {
            return "JDK " + Jvm.feature(jdk) + ", Spring Boot " + boot.version;
        }
    }

    static Stream<Run> runs() {
        return Jvm.jdks().stream().flatMap(jdk -> Stream.of(new Run(jdk, Boot.BOOT_4), new Run(jdk, Boot.BOOT_35)));
    }

    static Jvm.Service front(Run run, String... jvmArgs) {
        String name = "webflux-front-" + Jvm.feature(run.jdk()) + "-" + run.boot().name().toLowerCase(Locale.ROOT);
        return Jvm.java().named(name).home(run.jdk()).timeout(Duration.ofSeconds(180)).jvmArgs(jvmArgs)
                .service(run.boot().dir.resolve(run.boot().jar + ".jar") + File.pathSeparator
                                + run.boot().dir.resolve("lib") + "/*", "io.albtrace.smoke.webflux.WebFluxFrontApp",
                        "--server.port=0", "--back.url=" + back.uri() + "/back");
    }

    /**
     * Every incoming case forwards per the SPEC through every way of calling out, the MDC is in the request's log
     * line, and the agent has nothing to warn about.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aWebFluxServiceForwardsTheRootHopByHop(Run run) throws Exception {
        try (Jvm.Service front = front(run, Jvm.javaagent())) {
            assertTrue(front.out().contains("front versions: spring-boot " + run.boot().version + " "),
                    "the application ran the Spring Boot it names" + front.dump());
            for (Case c : Case.values()) {
                Chain.Report r = Chain.request(front.uri(), c.incoming);
                Chain.assertChain(r, c, CLIENTS, Mdc.FILLED);
                String[] mdc = r.mdc().split("\t");
                awaitLogLine(front, "root=" + mdc[1] + " id=" + mdc[0] + " ChainController - chain served");
            }
            assertDistinctRootsStayApart(front, 200);
            assertEquals(List.of(), front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                    "the agent had nothing to warn about" + front.dump());
        }
    }

    /**
     * {@code requests} requests with distinct Roots in flight together over the service's event loops (and the
     * client's, and the schedulers'): every call of every request carries its own request's Root and no other; then a
     * request without a header gets a Root of its own that none of the calls before had (nothing was left behind on
     * an event loop or a scheduler's thread).
     */
    static void assertDistinctRootsStayApart(Jvm.Service front, int requests) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> roots = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String root = String.format("1-6789%04x-%024x", i, 0xabc000L + i);
            roots.add(root);
            pending.add(client.sendAsync(HttpRequest.newBuilder(URI.create(front.uri() + "/chain"))
                    .header(Trace.NAME, "Root=" + root + ";Req=" + i).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = pending.get(i).get();
            assertEquals(200, response.statusCode(), response.body());
            Chain.Report r = Chain.parse(response.body());
            String incoming = "Root=" + roots.get(i) + ";Req=" + i;
            Chain.assertChain(r, incoming, incoming, "Self={NEW};Root=" + roots.get(i) + ";Req=" + i, CLIENTS,
                    Mdc.FILLED);
            for (Chain.Call call : r.calls()) {
                seen.add(Trace.rootOf(call.values().get(0)));
            }
        }
        assertEquals(new HashSet<>(roots), seen, "each request's calls carried its Root, and only those Roots");
        Chain.Report after = Chain.request(front.uri(), null);
        Chain.assertChain(after, Case.NO_HEADER, CLIENTS, Mdc.FILLED);
        String fresh = Trace.rootOf(after.calls().get(0).values().get(0));
        assertTrue(!seen.contains(fresh), "a request without a header after the others has a Root of its own, got "
                + fresh + "\n" + after.raw());
    }

    /** {@code albtrace.instrumentation.netty.enabled=false}: no server entry, no MDC; each call makes its own Root. */
    @Test
    void theNettySwitchOffLeavesTheRequestWithoutAContext() throws Exception {
        try (Jvm.Service front = front(new Run(Jvm.jdks().get(0), Boot.BOOT_4), Jvm.javaagent(),
                "-Dalbtrace.instrumentation.netty.enabled=false")) {
            Chain.Report r = Chain.request(front.uri(), Chain.FULL);
            assertEquals("-\t-", r.mdc(), "no MDC\n" + r.raw());
            Set<String> roots = new HashSet<>();
            for (Chain.Call call : r.calls()) {
                if (call.values().size() == 1) {
                    roots.add(Trace.assertForwarded("Root={NEW}", Chain.FULL, call.values().get(0)).get(0));
                }
            }
            assertTrue(!roots.contains(Chain.ROOT), "the incoming Root was not forwarded\n" + r.raw());
        }
    }

    /**
     * Temurin 25's AOT cache, as a container image build makes it, the agent in {@code JAVA_TOOL_OPTIONS} in both
     * runs: the training run (to the context's refresh, {@code -XX:AOTCacheOutput}) ends normally and writes the
     * cache with Reactor's and Netty's classes loaded and woven, the agent saying nothing; the production run opens it
     * and serves every case hop by hop through every way of calling out, with the MDC, as without a cache.
     */
    @Test
    void aWebFluxServiceTrainedIntoAnAotCacheWithTheAgentServesTheChain() throws Exception {
        String missing = Jvm.jdk25Missing();
        if (missing != null && Jvm.REQUIRE_JDK25) {
            org.junit.jupiter.api.Assertions.fail(missing);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(missing == null, missing);
        Run run = new Run(Jvm.JDK25, Boot.BOOT_4);
        Path cache = java.nio.file.Files.createDirectories(Jvm.WORK.resolve("webflux-aot")).resolve("app.aot");
        java.nio.file.Files.deleteIfExists(cache);
        String classPath = run.boot().dir.resolve(run.boot().jar + ".jar") + File.pathSeparator
                + run.boot().dir.resolve("lib") + "/*";
        Jvm.Result training = Jvm.java().named("webflux-aot-train").home(run.jdk())
                .env("JAVA_TOOL_OPTIONS", Jvm.javaagent()).timeout(Duration.ofSeconds(240))
                .jvmArgs("-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh")
                .main(classPath, "io.albtrace.smoke.webflux.WebFluxFrontApp", "--server.port=0",
                        "--back.url=" + back.uri() + "/back");
        assertEquals(0, training.exit(), "the training run ends normally" + training.dump());
        assertTrue(!training.out().contains("A fatal error has been detected") && !training.err().contains("SIGSEGV"),
                training.dump());
        assertTrue(java.nio.file.Files.isRegularFile(cache) && java.nio.file.Files.size(cache) > 0,
                "the cache is written" + training.dump());
        assertEquals(List.of(), training.agentLines(), "the agent said nothing" + training.dump());
        Path log = Jvm.runFile("webflux-aot-production.log");
        try (Jvm.Service front = front(run, Jvm.javaagent(), "-XX:AOTCache=" + cache,
                "-Xlog:aot=info,class+load=info:file=" + log)) {
            for (Case c : Case.values()) {
                Chain.assertChain(Chain.request(front.uri(), c.incoming), c, CLIENTS, Mdc.FILLED);
            }
            String text = java.nio.file.Files.readString(log);
            assertTrue(text.contains("Opened AOT cache " + cache), "the AOT cache was opened: " + log);
            assertTrue(text.contains("] reactor.netty.http.server.HttpServer source: shared objects file"),
                    "Reactor Netty's classes come from the cache: " + log);
            assertEquals(List.of(), front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                    "the agent had nothing to warn about" + front.dump());
        }
    }

    /** Logback writes the line before the response leaves; the output may lag a little behind. */
    private static void awaitLogLine(Jvm.Service front, String line) throws InterruptedException {
        for (int i = 0; i < 100 && !front.out().contains(line); i++) {
            Thread.sleep(50);
        }
        assertTrue(front.out().contains(line), "no log line [" + line + "]" + front.dump());
    }
}

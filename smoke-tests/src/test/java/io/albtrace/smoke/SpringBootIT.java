package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.smoke.Chain.Case;
import io.albtrace.smoke.Chain.Mdc;
import io.albtrace.testing.Trace;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Spring Boot web application as a user runs it: its own JVM with the built agent attached by {@code -javaagent},
 * Spring MVC on the embedded Tomcat Spring Boot brings, Logback with {@code %X{amzn.trace.root}} and
 * {@code %X{amzn.trace.id}} in its pattern ({@code smoke-tests/spring-boot-app}). For each incoming header its
 * controller calls the back service with {@code RestTemplate}, {@code RestClient} and the JDK's {@code HttpClient};
 * the test checks every hop against the SPEC and the MDC in the real log line the request wrote. On JDK 17 and on
 * Temurin 25, from the class path and as Spring Boot's executable jar.
 */
class SpringBootIT {

    static final List<String> CLIENTS = List.of("resttemplate", "restclient", "jdk");
    /** spring-boot-app/target: the thin jar and lib/ (see the smoke-tests pom). */
    static final Path APP = Paths.get(System.getProperty("albtrace.smoke.spring.app"));
    static final String SPRING_BOOT = System.getProperty("albtrace.smoke.spring.boot.version");

    private static Jvm.Service back;

    @BeforeAll
    static void startBack() {
        back = Jvm.java().named("spring-back").jvmArgs(Jvm.javaagent())
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0");
    }

    @AfterAll
    static void stopBack() {
        if (back != null) {
            back.close();
        }
    }

    /** How the application is started. */
    enum Launch {
        /** Its thin jar and lib/ on the class path. */
        CLASS_PATH,
        /** Spring Boot's executable jar: its own class loader over the jars nested in it (what {@code -jar} runs). */
        EXECUTABLE_JAR
    }

    record Run(Path jdk, Launch launch) {
        @Override
        public String toString() {
            return "JDK " + Jvm.feature(jdk) + ", " + launch;
        }
    }

    static Stream<Run> runs() {
        return Jvm.jdks().stream().flatMap(jdk -> Stream.of(new Run(jdk, Launch.CLASS_PATH),
                new Run(jdk, Launch.EXECUTABLE_JAR)));
    }

    static Jvm.Service front(Run run, String name, String... jvmArgs) {
        Jvm jvm = Jvm.java().named(name).home(run.jdk()).timeout(Duration.ofSeconds(180)).jvmArgs(jvmArgs);
        String[] args = {"--server.port=0", "--back.url=" + back.uri() + "/back"};
        if (run.launch() == Launch.EXECUTABLE_JAR) {
            return jvm.service(APP.resolve("albtrace-spring-front-exec.jar").toString(),
                    "org.springframework.boot.loader.launch.JarLauncher", args);
        }
        return jvm.service(APP.resolve("albtrace-spring-front.jar") + File.pathSeparator + APP.resolve("lib") + "/*",
                "io.albtrace.smoke.spring.SpringFrontApp", args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aSpringBootServiceIsAnEntryPoint(Run run) throws Exception {
        String name = "spring-front-" + Jvm.feature(run.jdk()) + "-" + run.launch();
        try (Jvm.Service front = front(run, name, Jvm.javaagent())) {
            assertServesTheChain(front);
        }
    }

    /**
     * What a front with the agent must do: run the Spring Boot and Tomcat it names; for each incoming header, forward
     * per the SPEC through every client and write the MDC into the request's real log line; warn about nothing.
     */
    static void assertServesTheChain(Jvm.Service front) throws Exception {
        assertTrue(front.out().contains("front versions: spring-boot " + SPRING_BOOT + " tomcat " + tomcat()),
                "the application ran the Spring Boot and Tomcat it names" + front.dump());
        for (Case c : Case.values()) {
            Chain.Report r = Chain.request(front.uri(), c.incoming);
            Chain.assertChain(r, c, CLIENTS, Mdc.FILLED);
            String[] mdc = r.mdc().split("\t");
            String line = "root=" + mdc[1] + " id=" + mdc[0] + " ChainController - chain served";
            awaitLogLine(front, line);
        }
        assertEquals(List.of(), front.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                "the agent had nothing to warn about" + front.dump());
    }

    /** {@code albtrace.instrumentation.servlet.enabled=false}: no context, no MDC; each call makes its own Root. */
    @Test
    void theServletSwitchOffLeavesTheRequestWithoutAContext() throws Exception {
        try (Jvm.Service front = front(new Run(Jvm.jdks().get(0), Launch.CLASS_PATH), "spring-front-servlet-off",
                Jvm.javaagent(),
                "-Dalbtrace.instrumentation.servlet.enabled=false")) {
            Chain.Report r = Chain.request(front.uri(), Chain.FULL);
            assertEquals("-\t-", r.mdc(), "no MDC\n" + r.raw());
            Set<String> roots = new HashSet<>();
            for (Chain.Call call : r.calls()) {
                assertEquals(1, call.values().size(), r.raw());
                roots.add(Trace.assertForwarded("Root={NEW}", Chain.FULL, call.values().get(0)).get(0));
            }
            assertEquals(CLIENTS.size(), roots.size(), "each call its own new Root\n" + r.raw());
            awaitLogLine(front, "root= id= ChainController - chain served");
        }
    }

    /** The Tomcat version of the application's libraries, from its jar's name. */
    private static String tomcat() throws IOException {
        try (Stream<Path> jars = Files.list(APP.resolve("lib"))) {
            String jar = jars.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tomcat-embed-core-"))
                    .findFirst().orElseThrow();
            return jar.substring("tomcat-embed-core-".length(), jar.length() - ".jar".length());
        }
    }

    /** Logback writes the line before the response leaves; the file may lag a little behind. */
    private static void awaitLogLine(Jvm.Service front, String line) throws InterruptedException {
        for (int i = 0; i < 100 && !front.out().contains(line); i++) {
            Thread.sleep(50);
        }
        assertTrue(front.out().contains(line), "no log line [" + line + "]" + front.dump());
    }
}

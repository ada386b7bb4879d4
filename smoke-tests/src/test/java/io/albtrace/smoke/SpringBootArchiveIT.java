package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Spring Boot application ({@code smoke-tests/spring-boot-app}) started faster with a class-data sharing archive
 * or an AOT cache, the agent in {@code JAVA_TOOL_OPTIONS} in every step, as a container image build runs them: a
 * training run that writes the archive must finish and write it (with the agent, Temurin 25 crashed writing an AOT
 * cache: issue 17), and the production run that uses it must serve the chain exactly as {@link SpringBootIT} checks
 * it, with the archive really used (the JVM's own log: {@code -Xlog:aot}, {@code -Xlog:class+load}) and the JDK
 * classes the training run left alone changed there ({@code java.lang.Thread}).
 */
class SpringBootArchiveIT {

    private static final String APP_MAIN = "io.albtrace.smoke.spring.SpringFrontApp";
    private static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";
    private static final String EXEC_JAR = "albtrace-spring-front-exec.jar";
    /** What JDK 17 and 25 require of a CDS dump with any Java agent (not of an AOT cache). */
    private static final String[] AGENT_IN_CDS_DUMP = {"-XX:+UnlockDiagnosticVMOptions",
        "-XX:+AllowArchivingWithJavaAgent"};

    private static Jvm.Service back;
    private static Path extracted;

    @BeforeAll
    static void startBack() {
        back = Jvm.java().named("archive-back").jvmArgs(Jvm.javaagent())
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0");
    }

    @AfterAll
    static void stopBack() {
        if (back != null) {
            back.close();
        }
    }

    /** How the application's classes are laid out. */
    enum Layout {
        /** Spring Boot's executable jar, run by its launcher (its own class loader over the nested jars). */
        EXECUTABLE_JAR,
        /**
         * The layout Spring Boot's documentation gives for CDS and the AOT cache: the jar extracted
         * ({@code java -Djarmode=tools -jar app.jar extract}), the application's jar with its libraries in
         * {@code lib/}, on the class path.
         */
        EXTRACTED
    }

    /** How the AOT cache is made on Temurin 25. */
    enum Training {
        /** {@code -XX:AOTCacheOutput}: the training run, then the JVM starts a second one that writes the cache. */
        ONE_STEP,
        /** {@code -XX:AOTMode=record -XX:AOTConfiguration}, then {@code -XX:AOTMode=create}. */
        TWO_STEPS
    }

    record AotRun(Layout layout, Training training) {
        @Override
        public String toString() {
            return layout + ", " + training;
        }
    }

    static Stream<AotRun> aotRuns() {
        return Stream.of(new AotRun(Layout.EXECUTABLE_JAR, Training.ONE_STEP), new AotRun(Layout.EXTRACTED,
                Training.ONE_STEP), new AotRun(Layout.EXTRACTED, Training.TWO_STEPS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aotRuns")
    void anAotCacheTrainedWithTheAgentIsUsedWithItAndTheChainIsServed(AotRun run) throws Exception {
        Path jdk = jdk25();
        Path dir = Files.createDirectories(Jvm.WORK.resolve("aot-" + run.layout() + "-" + run.training()));
        Path cache = dir.resolve("app.aot");
        Files.deleteIfExists(cache);
        if (run.training() == Training.ONE_STEP) {
            train(jdk, run.layout(), "aot-train", "-XX:AOTCacheOutput=" + cache);
        } else {
            Path config = dir.resolve("app.aotconf");
            Files.deleteIfExists(config);
            train(jdk, run.layout(), "aot-record", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + config);
            assertTrue(Files.isRegularFile(config), "the AOT configuration is written");
            // the creation step runs no application: the JVM reads the configuration and writes the cache
            Jvm.Result create = withAgent(jdk, "aot-create").tool("java", "-XX:AOTMode=create",
                    "-XX:AOTConfiguration=" + config, "-XX:AOTCache=" + cache, "-cp", classPath(run.layout()),
                    mainClass(run.layout()));
            assertWritten(create, cache);
            assertEquals(List.of(), create.agentLines(), "the agent said nothing" + create.dump());
        }
        Path log = Jvm.runFile("aot-production-" + run.layout() + ".log");
        try (Jvm.Service front = withAgent(jdk, "aot-production-" + run.layout()).jvmArgs("-XX:AOTCache=" + cache,
                "-Xlog:aot=info,class+load=info:file=" + log).service(classPath(run.layout()),
                        mainClass(run.layout()), frontArgs())) {
            SpringBootIT.assertServesTheChain(front);
            String text = Files.readString(log);
            assertTrue(text.contains("Opened AOT cache " + cache), "the AOT cache was opened: " + log);
            assertTrue(text.contains("Using AOT-linked classes: true"), "its linked classes are used: " + log);
            assertTrue(text.contains("full module graph: enabled"), "its module graph is used: " + log);
            assertFalse(text.contains("[error]"), "the JVM had nothing to refuse: " + log);
            assertShared(text, log, "org.springframework.boot.SpringApplication", "org.springframework.web.client.RestTemplate",
                    // the agent's own classes, from its own class loader
                    "io.albtrace.weaver.Installer");
            assertTrue(text.contains("java.lang.Thread source: __VM_RedefineClasses__"),
                    "java.lang.Thread, left alone by the training run, was changed in production: " + log);
        }
    }

    /** Who writes the AppCDS archive. */
    enum CdsDump {
        /**
         * The training run with the agent in {@code JAVA_TOOL_OPTIONS}: the JDK requires
         * {@code -XX:+AllowArchivingWithJavaAgent} of a CDS dump with any agent, and then of every run that uses the
         * archive (it warns there that such an archive is for testing).
         */
        WITH_THE_AGENT,
        /** The training run without it (the README's way on JDK 17): the archive is used with the agent all the same. */
        WITHOUT_THE_AGENT
    }

    record CdsRun(Path jdk, CdsDump dump) {
        @Override
        public String toString() {
            return "JDK " + Jvm.feature(jdk) + ", " + dump;
        }
    }

    /** With the agent on each JDK; without it on the JDK running the tests (17). */
    static Stream<CdsRun> cdsRuns() {
        return Stream.concat(Jvm.jdks().stream().map(jdk -> new CdsRun(jdk, CdsDump.WITH_THE_AGENT)),
                Stream.of(new CdsRun(Jvm.jdks().get(0), CdsDump.WITHOUT_THE_AGENT)));
    }

    /** AppCDS: a dynamic archive written at the training run's exit ({@code -XX:ArchiveClassesAtExit}), then used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cdsRuns")
    void aDynamicCdsArchiveIsUsedWithTheAgentAndTheChainIsServed(CdsRun run) throws Exception {
        Path jdk = run.jdk();
        String name = "appcds-" + Jvm.feature(jdk) + "-" + run.dump();
        Path archive = Files.createDirectories(Jvm.WORK.resolve(name)).resolve("app.jsa");
        Files.deleteIfExists(archive);
        List<String> dump = new ArrayList<>();
        List<String> production = new ArrayList<>();
        if (run.dump() == CdsDump.WITH_THE_AGENT) {
            dump.addAll(List.of(AGENT_IN_CDS_DUMP));
            production.addAll(List.of(AGENT_IN_CDS_DUMP));
            dump.add("-XX:ArchiveClassesAtExit=" + archive);
            train(jdk, Layout.EXTRACTED, name + "-train", dump.toArray(new String[0]));
        } else {
            Jvm.Result r = Jvm.java().named(name + "-train").home(jdk).timeout(Duration.ofSeconds(240))
                    .jvmArgs("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh")
                    .main(classPath(Layout.EXTRACTED), APP_MAIN, frontArgs());
            assertWritten(r, archive);
        }
        Path log = Jvm.runFile(name + "-production.log");
        production.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info,class+load=info:file=" + log));
        try (Jvm.Service front = withAgent(jdk, name + "-production").jvmArgs(production.toArray(new String[0]))
                .service(classPath(Layout.EXTRACTED), APP_MAIN, frontArgs())) {
            SpringBootIT.assertServesTheChain(front);
            String text = Files.readString(log);
            assertFalse(text.contains("Sharing is only supported for boot loader classes"), log.toString());
            assertShared(text, log, "org.springframework.boot.SpringApplication", APP_MAIN,
                    "org.springframework.web.client.RestTemplate");
            assertTrue(text.contains("java.lang.Thread source: __VM_RedefineClasses__"),
                    "java.lang.Thread, left alone by the training run, was changed in production: " + log);
        }
    }

    /** A static CDS dump runs no application: the agent stays out of it, and the JVM writes its archive. */
    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void aStaticCdsDumpWithTheAgentWritesItsArchive(Path jdk) throws Exception {
        Path archive = Files.createDirectories(Jvm.WORK.resolve("static-cds-" + Jvm.feature(jdk))).resolve("app.jsa");
        Files.deleteIfExists(archive);
        List<String> dump = new ArrayList<>(List.of(AGENT_IN_CDS_DUMP));
        dump.addAll(List.of("-Xshare:dump", "-XX:SharedArchiveFile=" + archive, "-cp", classPath(Layout.EXTRACTED)));
        Jvm.Result r = withAgent(jdk, "static-cds-dump-" + Jvm.feature(jdk)).tool("java", dump.toArray(new String[0]));
        assertWritten(r, archive);
        assertEquals(List.of(), r.agentLines(), "the agent said nothing and did nothing" + r.dump());
    }

    /** A run of the application to its context's refresh, as a training run does, writing an archive. */
    private static void train(Path jdk, Layout layout, String name, String... archiveOptions) throws IOException {
        List<String> options = new ArrayList<>(List.of(archiveOptions));
        options.add("-Dspring.context.exit=onRefresh");
        Jvm.Result r = withAgent(jdk, name).jvmArgs(options.toArray(new String[0]))
                .main(classPath(layout), mainClass(layout), frontArgs());
        assertEquals(0, r.exit(), "the training run ends normally" + r.dump());
        assertTrue(r.out().contains("Starting SpringFrontApp using Java"), "the application ran" + r.dump());
        for (String option : archiveOptions) {
            for (String prefix : List.of("-XX:AOTCacheOutput=", "-XX:ArchiveClassesAtExit=")) {
                if (option.startsWith(prefix)) {
                    assertWritten(r, Path.of(option.substring(prefix.length())));
                }
            }
        }
    }

    /** The JVM ended normally, wrote the file and crashed nowhere (no SIGSEGV, no hs_err file). */
    private static void assertWritten(Jvm.Result r, Path file) throws IOException {
        assertEquals(0, r.exit(), "the JVM that writes " + file + " ends normally" + r.dump());
        assertFalse(r.out().contains("A fatal error has been detected") || r.err().contains("SIGSEGV"), r.dump());
        assertTrue(Files.isRegularFile(file) && Files.size(file) > 0, file + " is written" + r.dump());
    }

    private static void assertShared(String log, Path file, String... classes) {
        for (String name : classes) {
            assertTrue(log.contains("] " + name + " source: shared objects file"), name + " from the archive: " + file);
        }
    }

    /** A JVM of {@code jdk} with the agent in {@code JAVA_TOOL_OPTIONS}, as a container image sets it. */
    private static Jvm withAgent(Path jdk, String name) {
        return Jvm.java().named(name).home(jdk).env("JAVA_TOOL_OPTIONS", Jvm.javaagent())
                .timeout(Duration.ofSeconds(240));
    }

    private static String[] frontArgs() {
        return new String[] {"--server.port=0", "--back.url=" + back.uri() + "/back"};
    }

    private static String classPath(Layout layout) throws IOException {
        return layout == Layout.EXECUTABLE_JAR ? SpringBootIT.APP.resolve(EXEC_JAR).toString()
                : extracted().resolve(EXEC_JAR).toString();
    }

    private static String mainClass(Layout layout) {
        return layout == Layout.EXECUTABLE_JAR ? LAUNCHER : APP_MAIN;
    }

    /** The executable jar extracted as Spring Boot's documentation says, once: {@code DIR/app.jar} and {@code DIR/lib}. */
    private static synchronized Path extracted() throws IOException {
        if (extracted == null) {
            Path dir = Jvm.WORK.resolve("spring-extracted");
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Jvm.Result r = Jvm.java().named("spring-extract").jvmArgs("-Djarmode=tools")
                    .jar(SpringBootIT.APP.resolve(EXEC_JAR), "extract", "--destination", dir.toString());
            assertEquals(0, r.exit(), r.dump());
            assertTrue(Files.isRegularFile(dir.resolve(EXEC_JAR)) && Files.isDirectory(dir.resolve("lib")), r.dump());
            extracted = dir;
        }
        return extracted;
    }

    static List<Path> jdks() {
        return Jvm.jdks();
    }

    /** Temurin 25: required where CI requires it, else its tests are skipped, saying why. */
    private static Path jdk25() {
        String missing = Jvm.jdk25Missing();
        if (missing != null && Jvm.REQUIRE_JDK25) {
            fail(missing);
        }
        assumeTrue(missing == null, missing);
        return Jvm.JDK25;
    }
}

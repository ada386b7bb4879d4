package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 5, hostile neighbours: a JDK tool started with the agent in {@code JAVA_TOOL_OPTIONS}, as in a container
 * image where every JVM gets it, works exactly as without the agent, and pays only for premain: the agent says
 * nothing, and Byte Buddy is never loaded (no class the agent changes is ever loaded in these tools). Each tool runs
 * twice on each JDK, with {@code JAVA_TOOL_OPTIONS=-Xlog:class+load:file=...} alone and with the agent added, so
 * that both print the JVM's {@code Picked up JAVA_TOOL_OPTIONS} line and both log their class loading. How long the
 * agent makes them take is measured, not tested: {@code benchmarks/jdk-tools.sh}, figures in benchmarks/RESULTS.md.
 */
class JdkToolsIT {

    /**
     * The agent's classes a tool loads: its entry class and class loader, seven start-up classes (the starter, the
     * bootstrap injector, the archive-dump check and its kind, the installation, the module list, the version), the
     * 43 core classes defined in the bootstrap loader, the installer with its class-file reader, its version check and
     * that check's verdict, and the 7 instrumentation modules with their interface (class names only: their type
     * instrumentations, which refer to Byte Buddy, are not created). 66 on JDK 17 and 25 when this was written (33
     * before the core grew the thread leases, the request attributes of asynchronous servlets and the other agents'
     * headers); the bound is twice that.
     */
    private static final int AGENT_CLASSES = 66;

    private static final Pattern JCMD_LINE = Pattern.compile("\\d+ .*");

    static List<Path> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void keytoolHelp(Path jdk) {
        Run run = run(jdk, "keytool-help", "keytool", "-help");
        assertEquals(0, run.without.exit(), run.both());
        assertTrue(run.without.err().contains("-certreq"), "keytool prints its help on stderr" + run.both());
        assertSameOutput(run);
        assertAgentPaidOnlyPremain(run);
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void jcmdVmVersionAndJcmdList(Path jdk) {
        // a running JVM to ask, itself with the agent
        try (Jvm.Service target = Jvm.java().named("jdk-tools-jcmd-target-" + Jvm.feature(jdk)).home(jdk)
                .jvmArgs(Jvm.javaagent()).service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0")) {
            String pid = Long.toString(target.pid());

            Run version = run(jdk, "jcmd-vm-version", "jcmd", pid, "VM.version");
            assertEquals(0, version.without.exit(), version.both());
            assertTrue(version.without.out().startsWith(pid + ":\n"), version.both());
            assertTrue(version.without.out().contains("JDK " + Jvm.feature(jdk)), version.both());
            assertSameOutput(version);
            assertAgentPaidOnlyPremain(version);

            Run list = run(jdk, "jcmd-list", "jcmd", "-l");
            // the list is of every JVM on the machine, which come and go (builds run beside these tests), and each
            // jcmd lists itself with its own process id: compared line by line where it must be the same
            for (Jvm.Result r : List.of(list.without, list.with)) {
                assertEquals(0, r.exit(), list.both());
                List<String> lines = r.outLines();
                assertTrue(lines.stream().allMatch(l -> JCMD_LINE.matcher(l).matches()), list.both());
                assertTrue(lines.contains(pid + " io.albtrace.smoke.apps.BackApp 0"), "the target is listed" + list.both());
                assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ jdk\\.jcmd/sun\\.tools\\.jcmd\\.JCmd -l")),
                        "jcmd lists itself" + list.both());
            }
            assertEquals(list.without.errLines().subList(1, list.without.errLines().size()),
                    list.with.errLines().subList(1, list.with.errLines().size()), list.both());
            assertAgentPaidOnlyPremain(list);
        }
    }

    /** A tool run without the agent and with it, each logging its class loading to a file. */
    record Run(Jvm.Result without, List<String> classesWithout, Jvm.Result with, List<String> classesWith) {
        String both() {
            return "\n=== without the agent" + without.dump() + "\n=== with the agent" + with.dump();
        }
    }

    private static Run run(Path jdk, String name, String tool, String... args) {
        String stem = name + "-" + Jvm.feature(jdk);
        Path logWithout = Jvm.runFile(stem + "-no-agent.classes");
        Jvm.Result without = Jvm.java().named(stem + "-no-agent").home(jdk)
                .env("JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + logWithout).tool(tool, args);
        Path logWith = Jvm.runFile(stem + "-agent.classes");
        Jvm.Result with = Jvm.java().named(stem + "-agent").home(jdk)
                .env("JAVA_TOOL_OPTIONS", Jvm.javaagent() + " -Xlog:class+load:file=" + logWith).tool(tool, args);
        return new Run(without, loaded(logWithout), with, loaded(logWith));
    }

    /** Same exit code, same stdout; stderr the same but for the JVM's own {@code Picked up ...} first line. */
    private static void assertSameOutput(Run run) {
        assertEquals(run.without.exit(), run.with.exit(), run.both());
        assertEquals(run.without.out(), run.with.out(), run.both());
        List<String> errWithout = run.without.errLines();
        List<String> errWith = run.with.errLines();
        assertEquals("Picked up JAVA_TOOL_OPTIONS: " + run.with.command().get(0).substring("JAVA_TOOL_OPTIONS=".length()),
                errWith.get(0), run.both());
        assertTrue(errWithout.get(0).startsWith("Picked up JAVA_TOOL_OPTIONS: -Xlog"), run.both());
        assertEquals(errWithout.subList(1, errWithout.size()), errWith.subList(1, errWith.size()),
                "the agent says nothing" + run.both());
    }

    /** The agent started (its core is defined), loaded no Byte Buddy and started no warm-up, in a bounded number of classes. */
    private static void assertAgentPaidOnlyPremain(Run run) {
        String where = "\n--- classes loaded with the agent: io.albtrace.*\n"
                + run.classesWith.stream().filter(c -> c.startsWith("io.albtrace.")).collect(Collectors.joining("\n"))
                + run.both();
        assertEquals(List.of(), run.classesWithout.stream().filter(c -> c.startsWith("io.albtrace.")).toList(),
                "no agent, none of its classes" + run.both());
        assertTrue(run.classesWith.contains("io.albtrace.core.Outgoing"), "the agent started" + where);
        assertEquals(List.of(), run.classesWith.stream().filter(c -> c.startsWith("io.albtrace.shaded.bytebuddy."))
                .toList(), "Byte Buddy is not loaded in a tool that loads no class the agent changes" + where);
        assertTrue(!run.classesWith.contains("io.albtrace.weaver.Installer$WarmUp"),
                "no warm-up in a JVM with no class path" + where);
        long agentClasses = run.classesWith.stream().filter(c -> c.startsWith("io.albtrace.")).count();
        assertTrue(agentClasses < 2 * AGENT_CLASSES, agentClasses + " of the agent's classes, expected"
                + " about " + AGENT_CLASSES + where);
    }

    /** The class names of a {@code -Xlog:class+load} file, in the order loaded. */
    private static List<String> loaded(Path log) {
        try {
            return Files.readAllLines(log).stream().map(l -> l.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
                    .map(l -> l.indexOf(' ') > 0 ? l.substring(0, l.indexOf(' ')) : l).collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("no class loading log " + log + ": " + e, e);
        }
    }
}

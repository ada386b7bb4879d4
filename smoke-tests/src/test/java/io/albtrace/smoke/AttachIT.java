package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.albtrace.smoke.app.AttachTargetApp;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar albtrace-agent.jar attach PID}: the agent attached to an application that is already running
 * without it ({@link AttachTargetApp}), which calls its back service with OkHttp, the JDK's {@code HttpClient}
 * and {@code HttpURLConnection}, before and after. The CLI runs on the same JDK as the application, except in
 * the cross case.
 */
class AttachIT {

    private static final String ID = "1-[0-9a-f]{8}-[0-9a-f]{24}";
    /** SPEC 3, no header and no context: a new Root and nothing else. */
    private static final Pattern NEW_ROOT = Pattern.compile("Root=(" + ID + ")");
    /** SPEC 3, the application's own header (a valid Root, no Self): a new Self first, then every field in order. */
    private static final Pattern OWN_FORWARDED = Pattern.compile("Self=(" + ID + ");"
            + Pattern.quote(AttachTargetApp.OWN));
    private static final List<String> CLIENTS = List.of("okhttp", "jdk", "urlconnection");
    private static final String APP = AttachTargetApp.class.getName();

    static List<Path> jdks() {
        return Jvm.jdks();
    }

    /** Starts the application without the agent and waits until it is ready. */
    private static Jvm.Background target(Path jdk, String name, String... jvmArgs) {
        Jvm.Background app = Jvm.java().home(jdk).named(name).jvmArgs(jvmArgs).start(Jvm.testAppClassPath(), APP);
        List<String> ready = app.readUntil(l -> l.startsWith("ready "));
        assertEquals("ready " + app.pid(), ready.get(ready.size() - 1), app.dump());
        return app;
    }

    /** Makes the application call its back service with each client, plain and with its own header. */
    private static Map<String, String> calls(Jvm.Background app, String label) {
        List<String> lines = app.send("call " + label).readUntil(l -> l.equals("done " + label));
        Map<String, String> arrived = new LinkedHashMap<>();
        for (String line : lines.subList(0, lines.size() - 1)) {
            String[] parts = line.split(" : ", 2);
            assertTrue(parts.length == 2 && parts[0].startsWith(label + " "), line + app.dump());
            arrived.put(parts[0].substring(label.length() + 1), parts[1]);
        }
        assertEquals(CLIENTS.size() * 2, arrived.size(), "one result per call" + app.dump());
        return arrived;
    }

    private static Jvm.Result attach(Path jdk, String name, long pid, String... settings) {
        String[] args = new String[settings.length + 2];
        args[0] = "attach";
        args[1] = Long.toString(pid);
        System.arraycopy(settings, 0, args, 2, settings.length);
        return Jvm.java().home(jdk).named(name).jar(Jvm.AGENT_JAR, args);
    }

    /** Without the agent: no header on the plain calls, the application's own exactly as it set it. */
    private static void assertUntouched(Map<String, String> arrived, Set<String> clients, String context) {
        for (String client : clients) {
            assertEquals("none", arrived.get(client + " plain"), client + " plain " + context + arrived);
            assertEquals(AttachTargetApp.OWN, arrived.get(client + " own"), client + " own " + context + arrived);
        }
    }

    /** With the agent: exactly one header per call, shaped per SPEC 3, every identifier new. */
    private static void assertForwarded(Map<String, String> arrived, Set<String> clients, Set<String> ids,
            String context) {
        for (String client : clients) {
            for (String kind : List.of("plain", "own")) {
                String value = arrived.get(client + " " + kind);
                Matcher m = (kind.equals("plain") ? NEW_ROOT : OWN_FORWARDED).matcher(value);
                assertTrue(m.matches(), client + " " + kind + " " + context + ": one header, per SPEC 3, not ["
                        + value + "] in " + arrived);
                assertTrue(ids.add(m.group(1)), "a new identifier each call: " + m.group(1) + " " + arrived);
            }
        }
    }

    private static void assertAttached(Jvm.Result r, long pid, Path jdk) {
        assertEquals(0, r.exit(), r.dump());
        assertTrue(r.out().matches("\\[albtrace] attached to JVM " + pid + " \\(albtrace " + Pattern.quote(Jvm.VERSION)
                + " started on Java " + Jvm.feature(jdk) + "[.0-9]*\\)\\R"), r.dump());
    }

    /** JDK 21 and later warn about an agent loaded dynamically, unless the JVM allowed it when started. */
    private static List<String> jdkWarnings(Jvm.Background app) {
        return app.err().lines().filter(l -> l.startsWith("WARNING: ")).collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void afterAttachNewCallsCarryTheHeaderAndASecondAttachChangesNothing(Path jdk) {
        try (Jvm.Background app = target(jdk, "attach-target-" + Jvm.feature(jdk))) {
            // the clients' classes are loaded and used before the agent comes: it must change them in place
            assertUntouched(calls(app, "before"), Set.copyOf(CLIENTS), "before attach");

            Jvm.Result r = attach(jdk, "attach-" + Jvm.feature(jdk), app.pid());
            assertAttached(r, app.pid(), jdk);
            assertEquals("", r.err(), r.dump());

            Set<String> ids = new HashSet<>();
            assertForwarded(calls(app, "after"), Set.copyOf(CLIENTS), ids, "after attach");

            Jvm.Result again = attach(jdk, "attach-again-" + Jvm.feature(jdk), app.pid());
            assertEquals(0, again.exit(), again.dump());
            assertEquals("[albtrace] JVM " + app.pid() + " already runs albtrace: nothing changed\n",
                    again.out().replace("\r\n", "\n"), again.dump());
            assertEquals("", again.err(), again.dump());
            assertForwarded(calls(app, "again"), Set.copyOf(CLIENTS), ids, "after the second attach");

            assertEquals(0, app.finish(), app.dump());
            assertEquals(List.of("[albtrace] the agent is already installed in this JVM; this second copy ("
                    + "file:" + Jvm.AGENT_JAR + ") is ignored"), app.agentLines(), app.dump());
            if (Jvm.feature(jdk) >= 21) {
                assertTrue(jdkWarnings(app).get(0).startsWith("WARNING: A Java agent has been loaded dynamically"),
                        "the warning the README mentions" + app.dump());
            } else {
                assertEquals(List.of(), jdkWarnings(app), app.dump());
            }
        }
    }

    /** Settings as arguments, in one or several: they apply in the application, over its own. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void settingsGivenToAttachApplyThere(Path jdk) {
        String allowed = Jvm.feature(jdk) >= 21 ? "-XX:+EnableDynamicAgentLoading" : "-Dnothing=0";
        // the application's own setting (debug off) loses to the one given to attach
        try (Jvm.Background app = target(jdk, "attach-settings-target-" + Jvm.feature(jdk), allowed,
                "-Dalbtrace.debug=false")) {
            calls(app, "before");
            Path missing = Jvm.WORK.resolve("no-such-settings.properties");
            Jvm.Result r = attach(jdk, "attach-settings-" + Jvm.feature(jdk), app.pid(),
                    "albtrace.instrumentation.okhttp.enabled=false,albtrace.debug=true",
                    "albtrace.config=" + missing);
            assertAttached(r, app.pid(), jdk);
            // a problem found there is said there and here; the agent runs with the rest
            List<String> errLines = r.errLines();
            assertEquals(1, errLines.size(), r.dump());
            assertTrue(errLines.get(0).startsWith("[albtrace] JVM " + app.pid() + ": cannot read the settings file "
                    + "albtrace.config=" + missing), r.dump());

            Map<String, String> arrived = calls(app, "after");
            assertUntouched(arrived, Set.of("okhttp"), "with okhttp switched off");
            assertForwarded(arrived, Set.of("jdk", "urlconnection"), new HashSet<>(), "after attach");

            assertEquals(0, app.finish(), app.dump());
            List<String> agent = app.agentLines();
            assertTrue(agent.get(0).startsWith("[albtrace] cannot read the settings file"), app.dump());
            assertTrue(agent.stream().anyMatch(l -> l.startsWith("[albtrace] debug: albtrace " + Jvm.VERSION
                    + " starting (agentmain)")), "albtrace.debug=true applies" + app.dump());
            assertEquals(4, agent.stream().filter(l -> l.startsWith("[albtrace] debug: forward ")).count(),
                    "one rewrite logged per JDK client call, none for OkHttp" + app.dump());
            assertEquals(List.of(), jdkWarnings(app), "no warning where the JVM allowed agents" + app.dump());
        }
    }

    /**
     * The size rule's bound, a number, given to attach: headers over it leave as Root only. With debug on, the
     * log shows OkHttp's call class, loaded before, changed while the agent installs (a retransformation).
     */
    @Test
    void aSmallHeaderBoundGivenToAttachApplies() {
        Path jdk = Jvm.jdks().get(0);
        try (Jvm.Background app = target(jdk, "attach-bound-target")) {
            calls(app, "before");
            Jvm.Result r = attach(jdk, "attach-bound", app.pid(), "albtrace.max.header.bytes=60,albtrace.debug=true");
            assertAttached(r, app.pid(), jdk);
            List<String> log = app.agentLines();
            int installed = log.indexOf(log.stream().filter(l -> l.startsWith("[albtrace] debug: installed "))
                    .findFirst().orElse("installed line missing"));
            int realCall = log.indexOf(log.stream().filter(l -> l.startsWith(
                    "[albtrace] debug: instrumented okhttp3.internal.connection.RealCall ")).findFirst()
                    .orElse("RealCall line missing"));
            assertTrue(realCall >= 0 && installed > realCall, "RealCall changed during the install" + app.dump());
            Map<String, String> arrived = calls(app, "after");
            for (String client : CLIENTS) {
                assertTrue(NEW_ROOT.matcher(arrived.get(client + " plain")).matches(), client + arrived);
                assertEquals("Root=1-67891233-abcdef012345678912345678", arrived.get(client + " own"),
                        client + ": over 60 bytes of headers, the Root alone" + arrived);
            }
            assertEquals(0, app.finish(), app.dump());
        }
    }

    @Test
    void crossJdkCliOn17AttachesTo25() {
        assumeTrue(Jvm.jdks().size() > 1, "Temurin 25 is not installed at " + Jvm.JDK25);
        Path cli = Jvm.jdks().get(0);
        Path jdk = Jvm.JDK25;
        assumeTrue(Jvm.feature(cli) != Jvm.feature(jdk));
        try (Jvm.Background app = target(jdk, "attach-cross-target")) {
            assertUntouched(calls(app, "before"), Set.copyOf(CLIENTS), "before attach");
            Jvm.Result r = attach(cli, "attach-cross", app.pid());
            assertAttached(r, app.pid(), jdk);
            assertForwarded(calls(app, "after"), Set.copyOf(CLIENTS), new HashSet<>(), "after attach from " + cli);
            assertEquals(0, app.finish(), app.dump());
        }
    }

    /** A JVM that refuses attach is told so, quickly, and runs on untouched. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmStartedWithDisableAttachMechanismRefuses(Path jdk) {
        try (Jvm.Background app = target(jdk, "attach-disabled-target-" + Jvm.feature(jdk),
                "-XX:+DisableAttachMechanism")) {
            Jvm.Result r = attach(jdk, "attach-disabled-" + Jvm.feature(jdk), app.pid());
            assertEquals(4, r.exit(), r.dump());
            assertEquals("", r.out(), r.dump());
            assertEquals(List.of("[albtrace] JVM " + app.pid() + " cannot be attached to: The VM does not support the"
                    + " attach mechanism (it was started with -XX:+DisableAttachMechanism, or is not a HotSpot JVM)"),
                    r.errLines(), r.dump());
            assertUntouched(calls(app, "after"), Set.copyOf(CLIENTS), "after a refused attach");
            assertEquals(0, app.finish(), app.dump());
            assertFalse(app.out().contains("Full thread dump"), "no SIGQUIT reached it" + app.dump());
            assertEquals("", app.err(), app.dump());
        }
    }

    /** Java 21+ started with -XX:-EnableDynamicAgentLoading refuses the agent, as the README says. */
    @Test
    void aJvmThatDisallowsDynamicAgentsRefuses() {
        assumeTrue(Jvm.jdks().size() > 1, "Temurin 25 is not installed at " + Jvm.JDK25);
        Path jdk = Jvm.JDK25;
        try (Jvm.Background app = target(jdk, "attach-disallowed-target", "-XX:-EnableDynamicAgentLoading")) {
            Jvm.Result r = attach(jdk, "attach-disallowed", app.pid());
            assertEquals(4, r.exit(), r.dump());
            assertEquals(1, r.errLines().size(), r.dump());
            assertTrue(r.errLines().get(0).startsWith("[albtrace] JVM " + app.pid() + " did not load the agent: ")
                    && r.errLines().get(0).contains("-XX:+EnableDynamicAgentLoading"), r.dump());
            assertUntouched(calls(app, "after"), Set.copyOf(CLIENTS), "after a refused attach");
            assertEquals(0, app.finish(), app.dump());
        }
    }

    /** Attaching sends SIGQUIT, which kills a process that does not handle it: such a process is left alone. */
    @Test
    void aProcessThatIsNotAJvmIsLeftAlone() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            Jvm.Result r = attach(Jvm.jdks().get(0), "attach-sleep", sleep.pid());
            assertEquals(4, r.exit(), r.dump());
            assertEquals("", r.out(), r.dump());
            assertEquals(1, r.errLines().size(), r.dump());
            assertTrue(r.errLines().get(0).startsWith("[albtrace] process " + sleep.pid() + " ("), r.dump());
            assertTrue(r.errLines().get(0).contains("sleep) is not a JVM that can be attached to"), r.dump());
            assertFalse(sleep.waitFor(1, TimeUnit.SECONDS), "sleep is still running" + r.dump());
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void aProcessThatIsGoneIsReported() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        Jvm.Result r = attach(Jvm.jdks().get(0), "attach-gone", gone.pid());
        assertEquals(3, r.exit(), r.dump());
        assertEquals(List.of("[albtrace] there is no process " + gone.pid()), r.errLines(), r.dump());
        assertEquals("", r.out(), r.dump());
    }

    /** Bad command lines: exit 2, one message, nothing attached (PID, a process that has exited, is never looked at). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "attach                                   | [albtrace] attach needs the id of a running JVM: java -jar albtrace-agent.jar attach PID",
        "attach abc                               | [albtrace] 'abc' is not a process id (a whole number above 0)",
        "attach -5                                | [albtrace] '-5' is not a process id (a whole number above 0)",
        "attach PID albtrace.nope=1               | [albtrace] unknown setting 'albtrace.nope'; nothing was attached. Known settings: albtrace.config, albtrace.enabled,",
        "attach PID report=/tmp/x                 | [albtrace] unknown setting 'report'; nothing was attached.",
        "attach PID albtrace.debug=yes            | [albtrace] albtrace.debug=yes is not true or false; nothing was attached.",
        "attach PID albtrace.max.header.bytes=0,x | [albtrace] albtrace.max.header.bytes=0 is not a whole number from 1 to 1048576; 'x' is not key=value; nothing"})
    void aBadCommandLineExitsWithTwo(String command, String message) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        String[] args = command.split(" ");
        for (int i = 0; i < args.length; i++) {
            args[i] = args[i].equals("PID") ? Long.toString(gone.pid()) : args[i];
        }
        Jvm.Result r = Jvm.java().named("attach-usage").jar(Jvm.AGENT_JAR, args);
        assertEquals(2, r.exit(), r.dump());
        assertEquals(1, r.errLines().size(), r.dump());
        assertTrue(r.errLines().get(0).startsWith(message), r.dump());
        assertEquals("", r.out(), r.dump());
    }

    /**
     * Switched off at the first attach, said so at the second, not "already runs". The command's own temporary
     * directory does not exist: on Linux the report comes back through the application's /tmp, /proc/PID/root/tmp.
     */
    @Test
    void aSecondAttachSaysTheFirstSwitchedAlbtraceOff() {
        Path jdk = Jvm.jdks().get(0);
        try (Jvm.Background app = target(jdk, "attach-off-target")) {
            calls(app, "before");
            String noTmp = "-Djava.io.tmpdir=" + Jvm.WORK.resolve("no-such-tmp");
            Jvm.Result r = Jvm.java().home(jdk).named("attach-off").jvmArgs(noTmp)
                    .jar(Jvm.AGENT_JAR, "attach", Long.toString(app.pid()), "albtrace.enabled=false");
            assertEquals(0, r.exit(), r.dump());
            assertEquals("[albtrace] attached to JVM " + app.pid() + " (albtrace.enabled=false: nothing installed)\n",
                    r.out().replace("\r\n", "\n"), r.dump());
            assertEquals("", r.err(), r.dump());

            Jvm.Result again = attach(jdk, "attach-off-again", app.pid());
            assertEquals(0, again.exit(), again.dump());
            assertEquals("[albtrace] JVM " + app.pid() + " already has albtrace, switched off there (albtrace.enabled"
                    + "=false: nothing installed): nothing changed (restart the JVM to switch it on)\n",
                    again.out().replace("\r\n", "\n"), again.dump());
            assertEquals("", again.err(), again.dump());
            assertUntouched(calls(app, "after"), Set.copyOf(CLIENTS), "switched off");
            assertEquals(0, app.finish(), app.dump());
        }
    }

    /** An agentmain that blocks (here: its class's lock held by the application) is waited for a bounded time. */
    @Test
    void anAttachThatDoesNotFinishIsGivenUpOn() {
        Path jdk = Jvm.jdks().get(0);
        try (Jvm.Background app = target(jdk, "attach-stuck-target")) {
            assertEquals(0, attach(jdk, "attach-stuck-first", app.pid(), "albtrace.enabled=false").exit(), app.dump());
            app.send("hold").readUntil(l -> l.equals("holding"));
            long start = System.nanoTime();
            Jvm.Result r = Jvm.java().home(jdk).named("attach-stuck").jvmArgs("-Dio.albtrace.attach.timeout=3")
                    .jar(Jvm.AGENT_JAR, "attach", Long.toString(app.pid()));
            assertEquals(4, r.exit(), r.dump());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(40), "bounded" + r.dump());
            assertEquals("", r.out(), r.dump());
            assertEquals(List.of("[albtrace] JVM " + app.pid() + " did not finish loading the agent within 3 s (its"
                    + " attach listener or the agent's start is stuck); it may still start there later: see that"
                    + " JVM's stderr"), r.errLines(), r.dump());
            app.send("release").readUntil(l -> l.equals("released"));
            assertUntouched(calls(app, "after"), Set.copyOf(CLIENTS), "switched off");
            assertEquals(0, app.finish(), app.dump());
        }
    }

    /** A Java without the jdk.attach module (a JRE; here a JDK limited to a JRE's modules) says it cannot. */
    @Test
    void aJavaWithoutTheAttachModuleSaysSo() {
        Jvm.Result r = Jvm.java().named("attach-jre").jvmArgs("--limit-modules", "java.base,java.instrument")
                .jar(Jvm.AGENT_JAR, "attach", "1");
        assertEquals(5, r.exit(), r.dump());
        assertEquals(1, r.errLines().size(), r.dump());
        assertTrue(r.errLines().get(0).startsWith("[albtrace] this Java (") && r.errLines().get(0).contains(
                ") has no jdk.attach module, so it cannot attach to another JVM; run this command with the java of"
                        + " a JDK"), r.dump());
    }
}

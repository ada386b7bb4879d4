package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 7: an application with its own Byte Buddy, of another version, is unaffected; so is one that also
 * has its own OkHttp and its own Java agent, which changes OkHttp too ({@code HostileNeighbourApp}), whichever
 * agent comes first.
 */
class OwnByteBuddyIT {

    private static final String APP = "io.albtrace.smoke.app.OwnByteBuddyApp";
    private static final String HOSTILE = "io.albtrace.smoke.app.HostileNeighbourApp";
    private static final String SENT = "Root=1-67891233-abcdef012345678912345678;CalledFrom=app";
    private static final String VERSION = System.getProperty("albtrace.smoke.app.bytebuddy.version");

    @Test
    void theApplicationsByteBuddyWorksAndTheHeaderIsStillForwarded() {
        Jvm.Result r = Jvm.java().named("own-bytebuddy").jvmArgs(Jvm.javaagent())
                .main(Jvm.testAppClassPath(), APP);
        assertEquals(0, r.exit(), r.dump());
        assertOwnByteBuddyUsed(r);
        List<String> arrived = values(r, "arrived : ");
        assertEquals(2, arrived.size(), r.dump());
        for (String a : arrived) {
            assertTrue(a.matches("Self=" + DemoOutput.NEW_ID + ";Root=1-67891233-abcdef012345678912345678;CalledFrom=app"),
                    a + r.dump());
        }
        assertTrue(!arrived.get(0).equals(arrived.get(1)), "each call its own Self" + r.dump());
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void withoutTheAgentTheSameApplicationSendsItsHeaderAsIs() {
        Jvm.Result r = Jvm.java().named("own-bytebuddy-no-agent").main(Jvm.testAppClassPath(), APP);
        assertEquals(0, r.exit(), r.dump());
        assertOwnByteBuddyUsed(r);
        assertEquals(List.of(SENT, SENT), values(r, "arrived : "), r.dump());
    }

    private static void assertOwnByteBuddyUsed(Jvm.Result r) {
        String version = System.getProperty("albtrace.smoke.app.bytebuddy.version");
        List<String> jar = values(r, "bytebuddy : ");
        assertEquals(1, jar.size(), r.dump());
        assertTrue(jar.get(0).endsWith("/byte-buddy-" + version + ".jar"), "the application's " + version + r.dump());
        assertEquals(List.of("app"), values(r, "bytebuddy loader : "), r.dump());
        assertEquals(List.of("made by the app's Byte Buddy 0", "made by the app's Byte Buddy 1"),
                values(r, "generated : "), r.dump());
        assertEquals(List.of("204", "204"), values(r, "status : "), r.dump());
    }

    private static List<String> values(Jvm.Result r, String prefix) {
        return r.outLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .collect(Collectors.toList());
    }

    /**
     * A cell: a JDK, the application's OkHttp (a library set of target/apps/lib and the jar it must come from) and
     * when the application installs its own agent (HostileNeighbourApp's javadoc: late, early, premain).
     */
    record Cell(Path jdk, String set, String okhttpJar, String mode) {
        @Override
        public String toString() {
            return "JDK " + Jvm.feature(jdk) + ", " + okhttpJar + ", the application's agent " + mode;
        }
    }

    static Stream<Cell> hostileCells() {
        List<Cell> cells = new ArrayList<>();
        for (Path jdk : Jvm.jdks()) {
            for (String mode : List.of("late", "early", "premain")) {
                cells.add(new Cell(jdk, "okhttp4-httpclient50", "okhttp-4.12.0.jar", mode));
                if (Jvm.feature(jdk) == 17) {
                    cells.add(new Cell(jdk, "okhttp3-httpclient4", "okhttp-3.14.9.jar", mode));
                }
            }
        }
        return cells.stream();
    }

    /**
     * The hostile neighbour, run twice, without albtrace and with it: its own agent's changes (its class, an
     * {@code X-App} header added in {@code OkHttpClient#newCall}, a count in {@code RealCall#execute}) show exactly
     * as without albtrace, and albtrace still forwards the trace header per SPEC: both agents' changes on the wire.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileCells")
    void aHostileNeighbourWithItsOwnAgentWorksAsWithoutAlbtraceAndTheHeaderIsForwarded(Cell cell) {
        String name = "hostile-" + Jvm.feature(cell.jdk()) + "-" + cell.set() + "-" + cell.mode();
        Jvm.Result without = hostile(cell, name + "-no-agent", false);
        Jvm.Result with = hostile(cell, name, true);
        String both = "\n=== without albtrace" + without.dump() + "\n=== with albtrace" + with.dump();

        for (Jvm.Result r : List.of(without, with)) {
            assertEquals(0, r.exit(), both);
            assertEquals(List.of(Jvm.testAppJar("byte-buddy-" + VERSION + ".jar")), jars(r, "bytebuddy : "),
                    "the application's Byte Buddy" + both);
            assertEquals(List.of(Jvm.testAppJar("byte-buddy-agent-" + VERSION + ".jar")), jars(r, "bytebuddy-agent : "),
                    "the application's byte-buddy-agent" + both);
            assertEquals(Jvm.libJars(cell.set(), cell.okhttpJar()), jars(r, "okhttp : "), "its OkHttp" + both);
            // the application's agent did all it does, and nothing failed in it
            String realCall = cell.okhttpJar().startsWith("okhttp-3.") ? "okhttp3.RealCall"
                    : "okhttp3.internal.connection.RealCall";
            assertEquals(List.of(HOSTILE + "$Greeting", "okhttp3.OkHttpClient", realCall),
                    values(r, "app agent transformed : "), both);
            assertEquals(List.of(), values(r, "app agent error : "), both);
            assertEquals(List.of("changed by the app's agent"), values(r, "own class : "), both);
            boolean late = cell.mode().equals("late");
            assertEquals(List.of(late ? "2" : "3"), values(r, "app saw execute : "), both);
            List<String> calls = values(r, "call ");
            String xAppBeforeItsAgent = late ? "-" : "hostile";
            assertEquals(List.of("0 : status=204 x-app=" + xAppBeforeItsAgent, "1 : status=204 x-app=hostile",
                    "2 : status=204 x-app=hostile"), calls.stream().filter(c -> c.contains(" : status=")).toList(), both);
        }
        // the trace header: as the application set it without albtrace; forwarded per SPEC (one header, a new Self
        // each call, Root and the custom field kept) with it
        assertEquals(List.of(SENT, SENT, SENT), traces(without), both);
        List<String> forwarded = traces(with);
        assertEquals(3, forwarded.size(), both);
        Set<String> selves = new HashSet<>();
        for (String v : forwarded) {
            assertTrue(v.matches("Self=(" + DemoOutput.NEW_ID + ");Root=1-67891233-abcdef012345678912345678;CalledFrom=app"),
                    "exactly one header, Self=<new>;" + SENT + ", not [" + v + "]" + both);
            selves.add(v.substring(0, v.indexOf(';')));
        }
        assertEquals(3, selves.size(), "each call its own Self" + both);
        // everything else the application printed, and its stderr, are the same with and without albtrace
        assertEquals(withoutTraces(without.outLines()), withoutTraces(with.outLines()), both);
        assertEquals(without.errLines(), with.errLines(), "the same stderr: albtrace says nothing" + both);
    }

    private static Jvm.Result hostile(Cell cell, String name, boolean albtrace) {
        List<String> jvmArgs = new ArrayList<>();
        if (Jvm.feature(cell.jdk()) > 23) {
            // the application's Byte Buddy 1.14 knows Java up to 23: on a newer JDK it runs only with this switch
            // (its agent reports "Java 25 (69) is not supported" and changes nothing without it); the agent's
            // own Byte Buddy is relocated and newer, and needs nothing
            jvmArgs.add("-Dnet.bytebuddy.experimental=true");
        }
        if (cell.mode().equals("premain")) {
            jvmArgs.add("-javaagent:" + appAgentJar()); // the application's agent first
        }
        if (albtrace) {
            jvmArgs.add(Jvm.javaagent());
        }
        List<Path> classPath = new ArrayList<>();
        classPath.add(Jvm.TEST_CLASSES);
        classPath.add(Jvm.testAppJar("byte-buddy-" + VERSION + ".jar"));
        classPath.add(Jvm.testAppJar("byte-buddy-agent-" + VERSION + ".jar"));
        classPath.addAll(Jvm.libJars(cell.set(), "okhttp-", "okio", "kotlin-stdlib"));
        return Jvm.java().named(name).home(cell.jdk()).jvmArgs(jvmArgs.toArray(new String[0]))
                .main(classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
                        HOSTILE, cell.mode());
    }

    /** A jar with only a manifest naming the application's agent class, which the class path holds. */
    private static synchronized Path appAgentJar() {
        Path jar = Jvm.WORK.resolve("hostile-app-agent.jar");
        if (!Files.exists(jar)) {
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            main.putValue("Premain-Class", HOSTILE + "$AppAgent");
            main.putValue("Can-Retransform-Classes", "true");
            main.putValue("Can-Redefine-Classes", "true");
            try {
                Files.createDirectories(jar.getParent());
                try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
                    j.flush();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + jar, e);
            }
        }
        return jar;
    }

    /** The jars a line of the application's names, as files (it prints code source locations, {@code file:/...}). */
    private static List<Path> jars(Jvm.Result r, String prefix) {
        return values(r, prefix).stream().map(v -> Path.of(java.net.URI.create(v))).collect(Collectors.toList());
    }

    private static List<String> traces(Jvm.Result r) {
        return r.outLines().stream().filter(l -> l.matches("call \\d+ trace : .*"))
                .map(l -> l.substring(l.indexOf(" : ") + 3)).collect(Collectors.toList());
    }

    private static List<String> withoutTraces(List<String> lines) {
        return lines.stream().map(l -> l.matches("call \\d+ trace : .*") ? l.substring(0, l.indexOf(" : ")) : l)
                .collect(Collectors.toList());
    }
}

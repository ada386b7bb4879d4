package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Class-data sharing stays on for application classes: the agent defines core in the bootstrap loader without
 * appending to the boot class path, which would make the JVM print "Sharing is only supported for boot loader
 * classes" and (from JDK 18 on) load every application class from its jar again. On each JDK: an AppCDS archive
 * of the demo is made without the agent, then used with it.
 */
class CdsIT {

    private static final String OFF = "Sharing is only supported for boot loader classes";
    private static final Map<Path, Path> ARCHIVES = new HashMap<>();

    static List<Path> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "Java {index}: {0}")
    @MethodSource("jdks")
    void withTheAgentApplicationClassesStillComeFromTheArchive(Path jdk) throws IOException {
        Path archive = archive(jdk);
        Path log = archive.resolveSibling("with-agent.log");
        Jvm.Result r = Jvm.java().named("cds-agent-" + Jvm.feature(jdk)).home(jdk)
                .jvmArgs("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info,class+load=info:file=" + log,
                        Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        String text = Files.readString(log);
        assertTrue(!text.contains(OFF) && !r.out().contains(OFF) && !r.err().contains(OFF), OFF + r.dump());
        assertEquals(List.of(), r.agentLines(), "no fallback to the boot class path" + r.dump());
        assertTrue(text.contains(" io.albtrace.demo.Demo source: shared objects file"), "the demo class is shared");
        assertTrue(text.contains(" okhttp3.OkHttpClient source: shared objects file"), "OkHttp is shared");
        long shared = sharedAppClasses(text);
        assertTrue(shared > 100, "application classes from the archive: " + shared);
    }

    /** The control: the same checks catch an agent that appends to the boot class path. */
    @ParameterizedTest(name = "Java {index}: {0}")
    @MethodSource("jdks")
    void theCheckSeesAnAgentThatAppendsToTheBootClassPath(Path jdk) throws IOException {
        Path archive = archive(jdk);
        Path control = archive.resolveSibling("boot-append-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", "io.albtrace.smoke.app.BootAppendAgent");
        try (OutputStream out = Files.newOutputStream(control); JarOutputStream jar = new JarOutputStream(out, mf)) {
            String name = "io/albtrace/smoke/app/BootAppendAgent.class";
            jar.putNextEntry(new JarEntry(name));
            jar.write(Files.readAllBytes(Jvm.TEST_CLASSES.resolve(name)));
            jar.closeEntry();
        }
        Path log = archive.resolveSibling("control.log");
        Jvm.Result r = Jvm.java().named("cds-control-" + Jvm.feature(jdk)).home(jdk)
                .jvmArgs("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info,class+load=info:file=" + log,
                        "-javaagent:" + control)
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertUnchanged();
        String text = Files.readString(log);
        assertTrue(text.contains(OFF) || r.out().contains(OFF) || r.err().contains(OFF), OFF + r.dump());
        if (Jvm.feature(jdk) >= 18) {
            // JDK 17 warns but still maps application classes from a dynamic archive; later JDKs do not.
            assertTrue(!text.contains(" io.albtrace.demo.Demo source: shared objects file"), "the demo class not shared");
        }
    }

    /** An AppCDS archive of the demo made by {@code jdk} without the agent (-XX:ArchiveClassesAtExit), once. */
    private static synchronized Path archive(Path jdk) throws IOException {
        Path existing = ARCHIVES.get(jdk);
        if (existing != null) {
            return existing;
        }
        Path dir = Files.createDirectories(Jvm.WORK.resolve("cds-" + Jvm.feature(jdk)));
        Path archive = dir.resolve("demo.jsa");
        Files.deleteIfExists(archive);
        Jvm.Result r = Jvm.java().named("cds-dump-" + Jvm.feature(jdk)).home(jdk)
                .jvmArgs("-XX:ArchiveClassesAtExit=" + archive).jar(Jvm.DEMO_JAR);
        assertEquals(0, r.exit(), r.dump());
        assertTrue(Files.isRegularFile(archive) && Files.size(archive) > 0, "the archive is written" + r.dump());
        ARCHIVES.put(jdk, archive);
        return archive;
    }

    private static long sharedAppClasses(String log) {
        return log.lines()
                .filter(l -> l.contains(" source: shared objects file"))
                .filter(l -> l.contains("] okhttp3.") || l.contains("] okio.") || l.contains("] kotlin.")
                        || l.contains("] io.albtrace.demo."))
                .count();
    }
}

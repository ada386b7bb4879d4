package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The agent's own classes stay out of the application's sight; only core is shared, in the bootstrap loader. */
class IsolationIT {

    @Test
    void fromInsideTheApplicationOnlyCoreAndTheEntryClassAreVisible() {
        Jvm.Result r = Jvm.java().named("isolation").jvmArgs(Jvm.javaagent()).main(Jvm.TEST_CLASSES.toString(),
                "io.albtrace.smoke.app.IsolationApp",
                "io.albtrace.shaded.bytebuddy.ByteBuddy",
                "net.bytebuddy.ByteBuddy",
                "io.albtrace.weaver.Installer",
                "io.albtrace.instrumentation.okhttp.RealCallInstrumentation",
                "io.albtrace.agent.internal.AgentStarter",
                "io.albtrace.agent.internal.Cli",
                "io.albtrace.core.Outgoing",
                "io.albtrace.core.Context",
                "io.albtrace.agent.AlbtraceAgent",
                "io/albtrace/shaded/bytebuddy/ByteBuddy.class",
                "net/bytebuddy/ByteBuddy.class",
                "io/albtrace/weaver/Installer.class");
        assertEquals(0, r.exit(), r.dump());
        List<String> out = r.outLines();
        for (String hidden : List.of("io.albtrace.shaded.bytebuddy.ByteBuddy", "net.bytebuddy.ByteBuddy",
                "io.albtrace.weaver.Installer", "io.albtrace.instrumentation.okhttp.RealCallInstrumentation",
                "io.albtrace.agent.internal.AgentStarter", "io.albtrace.agent.internal.Cli")) {
            assertTrue(out.contains("class " + hidden + " : not loadable"), hidden + r.dump());
        }
        assertTrue(out.contains("class io.albtrace.core.Outgoing : bootstrap"), r.dump());
        assertTrue(out.contains("class io.albtrace.core.Context : bootstrap"), r.dump());
        // -javaagent puts the agent jar on the system class path: its entry class is the one visible there.
        assertTrue(out.contains("class io.albtrace.agent.AlbtraceAgent : app"), r.dump());
        for (String resource : List.of("io/albtrace/shaded/bytebuddy/ByteBuddy.class", "net/bytebuddy/ByteBuddy.class",
                "io/albtrace/weaver/Installer.class")) {
            assertTrue(out.contains("resource " + resource + " : not found"), resource + r.dump());
        }
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void withoutTheAgentNothingOfItIsThere() {
        Jvm.Result r = Jvm.java().named("isolation-no-agent").main(Jvm.TEST_CLASSES.toString(),
                "io.albtrace.smoke.app.IsolationApp", "io.albtrace.core.Outgoing");
        assertEquals(0, r.exit(), r.dump());
        assertEquals(List.of("class io.albtrace.core.Outgoing : not loadable"), r.outLines(), r.dump());
    }

    @Test
    void theJarHoldsNoClassFileOutsideTheEntryPackage() throws IOException {
        List<String> classFiles = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(Jvm.AGENT_JAR.toFile())) {
            for (JarEntry e : Collections.list(jar.entries())) {
                names.add(e.getName());
                if (e.getName().endsWith(".class")) {
                    classFiles.add(e.getName());
                }
            }
            Manifest mf = jar.getManifest();
            assertNotNull(mf);
            assertEquals("io.albtrace.agent.AlbtraceAgent", mf.getMainAttributes().getValue("Premain-Class"));
            assertEquals("io.albtrace.agent.AlbtraceAgent", mf.getMainAttributes().getValue("Main-Class"));
            assertEquals(Jvm.VERSION, mf.getMainAttributes().getValue("Implementation-Version"));
        }
        assertTrue(classFiles.contains("io/albtrace/agent/AlbtraceAgent.class"), classFiles.toString());
        for (String c : classFiles) {
            assertTrue(c.matches("io/albtrace/agent/[^/]+\\.class"), "a class file outside io/albtrace/agent/: " + c);
        }
        assertTrue(names.contains("albtrace/boot/io/albtrace/core/Outgoing.classdata"), "core, for the bootstrap loader");
        assertTrue(names.contains("albtrace/agent/io/albtrace/shaded/bytebuddy/ByteBuddy.classdata"),
                "the relocated Byte Buddy, private to the agent");
        assertTrue(names.stream().noneMatch(n -> n.startsWith("net/") || n.startsWith("okhttp3/")
                || n.contains("/net/bytebuddy/")), "nothing unrelocated");
    }
}

package io.albtrace.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentClassLoaderTest {

    @Test
    void readsItsOwnResourcesFromTheJarAndOthersAsUsual(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("agent.jar");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            put(jar, "p/io/albtrace/x/Advice.classdata", "advice bytes");
            put(jar, "p/io/albtrace/x/version.properties", "version=1");
            put(jar, "p/META-INF/services/io.albtrace.Some", "a.B");
            put(jar, "p/other/thing.txt", "not own");
        }
        try (JarFile jar = new JarFile(file.toFile())) {
            AgentClassLoader loader = new AgentClassLoader(jar, file.toUri().toURL(), "p/");
            assertEquals("advice bytes", read(loader, "io/albtrace/x/Advice.class"));
            assertEquals("version=1", read(loader, "io/albtrace/x/version.properties"));
            assertEquals("a.B", read(loader, "META-INF/services/io.albtrace.Some"));
            // the URL of the same resource reads the same bytes
            try (InputStream in = loader.getResource("io/albtrace/x/Advice.class").openStream()) {
                assertArrayEquals("advice bytes".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
            }
            // not in the jar: looked for as usual (the JDK's, through the parent)
            assertNull(loader.getResourceAsStream("io/albtrace/x/Missing.class"));
            assertNotNull(read(loader, "java/lang/Object.class"));
            // not the agent's own: parent first, then the jar
            assertEquals("not own", read(loader, "other/thing.txt"));
        }
    }

    private static void put(JarOutputStream jar, String name, String content) throws Exception {
        jar.putNextEntry(new JarEntry(name));
        jar.write(content.getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
    }

    private static String read(ClassLoader loader, String name) throws Exception {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

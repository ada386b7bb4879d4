package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mdc} against MDC classes of its own: {@code org.slf4j.MDC} and {@code org.apache.logging.log4j.ThreadContext}
 * with the same static {@code put/get/remove(String)}, compiled at test time and defined in throwaway class
 * loaders (core's own test class path has no logging library). Each keeps its values in a public static map and
 * throws from {@code put} for the key named by its static field {@code failOn}.
 */
class MdcTest {

    static final String ROOT = "1-67891233-abcdef012345678912345678";
    static final String CONTEXT = "Root=" + ROOT + ";K=v";

    @TempDir
    static Path dir;
    static Path classes;

    @BeforeAll
    static void compileTheFakeMdcs() throws IOException {
        Path src = dir.resolve("src");
        classes = dir.resolve("classes");
        Files.createDirectories(classes);
        List<String> files = new ArrayList<>();
        for (String name : new String[] {"org.slf4j.MDC", "org.apache.logging.log4j.ThreadContext"}) {
            int dot = name.lastIndexOf('.');
            String pkg = name.substring(0, dot);
            String simple = name.substring(dot + 1);
            Path file = src.resolve(name.replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "package " + pkg + ";\n"
                    + "public final class " + simple + " {\n"
                    + "  public static final java.util.Map<String, String> MAP = new java.util.HashMap<>();\n"
                    + "  public static String failOn;\n"
                    + "  public static int puts;\n"
                    + "  public static void put(String k, String v) {\n"
                    + "    puts++;\n"
                    + "    if (k.equals(failOn)) throw new IllegalStateException(\"" + simple + " fails (test)\");\n"
                    + "    MAP.put(k, v);\n"
                    + "  }\n"
                    + "  public static String get(String k) { return MAP.get(k); }\n"
                    + "  public static void remove(String k) { MAP.remove(k); }\n"
                    + "}\n", StandardCharsets.UTF_8);
            files.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK");
        List<String> args = new ArrayList<>(List.of("-d", classes.toString()));
        args.addAll(files);
        assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])));
        // what says a back end is there: an SLF4J 2 provider and a Log4j 2 provider, as their jars declare them
        bare = dir.resolve("bare");
        Files.createDirectories(bare);
        copyTree(classes, bare);
        Path services = classes.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve("org.slf4j.spi.SLF4JServiceProvider"), "test.Provider\n");
        Files.writeString(services.resolve("org.apache.logging.log4j.spi.Provider"), "test.Provider\n");
    }

    /** The same fake MDC classes, but no back end declared. */
    static Path bare;

    private static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** A fresh loader with both fake MDC classes of its own. */
    static URLClassLoader loader() throws IOException {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> map(ClassLoader loader, String api) throws Exception {
        return (Map<String, String>) loader.loadClass(api).getField("MAP").get(null);
    }

    static int puts(ClassLoader loader, String api) throws Exception {
        return loader.loadClass(api).getField("puts").getInt(null);
    }

    static void failOn(ClassLoader loader, String api, String key) throws Exception {
        loader.loadClass(api).getField("failOn").set(null, key);
    }

    static final String SLF4J = "org.slf4j.MDC";
    static final String LOG4J = "org.apache.logging.log4j.ThreadContext";

    @Test
    void bothApisGetTheKeysAndGiveBackWhatTheyHad() throws Exception {
        try (URLClassLoader loader = loader()) {
            map(loader, LOG4J).put(Mdc.ROOT, "the application's");
            Mdc.Saved saved = Mdc.put(CONTEXT, loader, null);
            assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, CONTEXT), map(loader, SLF4J));
            assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, CONTEXT), map(loader, LOG4J));
            Mdc.restore(saved);
            assertEquals(Map.of(), map(loader, SLF4J));
            assertEquals(Map.of(Mdc.ROOT, "the application's"), map(loader, LOG4J));
        }
    }

    @Test
    void anApiWithNoBackEndIsLeftAloneNotEvenInitialised() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {bare.toUri().toURL()}, null)) {
            Mdc.Saved saved = Mdc.put(CONTEXT, loader, null);
            Mdc.restore(saved);
            // neither class was initialised (its static puts counter is still 0) nor given a key
            assertEquals(0, puts(loader, SLF4J));
            assertEquals(0, puts(loader, LOG4J));
            assertEquals(Map.of(), map(loader, SLF4J));
            assertEquals(Map.of(), map(loader, LOG4J));
        }
    }

    @Test
    void aSecondApiThatFailsLeavesNoKeyBehindInEitherAndIsNotUsedAgain() throws Exception {
        try (URLClassLoader loader = loader()) {
            failOn(loader, LOG4J, Mdc.ID); // Log4j takes the Root, then fails
            Mdc.Saved saved = Mdc.put(CONTEXT, loader, null);
            assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, CONTEXT), map(loader, SLF4J), "SLF4J still gets the keys");
            assertEquals(Map.of(), map(loader, LOG4J), "what Log4j took is taken out again");
            Mdc.restore(saved);
            assertEquals(Map.of(), map(loader, SLF4J), "no SLF4J key is left behind");
            assertEquals(2, puts(loader, LOG4J));

            // disabled after its first failure: not called again, SLF4J goes on working
            Mdc.restore(Mdc.put(CONTEXT, loader, null));
            assertEquals(2, puts(loader, LOG4J), "a failed API is not called again");
            assertEquals(4, puts(loader, SLF4J));
            assertEquals(Map.of(), map(loader, SLF4J));
        }
    }

    @Test
    void aFirstApiThatFailsHalfWayLeavesNoKeyBehind() throws Exception {
        try (URLClassLoader loader = loader()) {
            failOn(loader, SLF4J, Mdc.ID);
            Mdc.Saved saved = Mdc.put(CONTEXT, loader, null);
            assertEquals(Map.of(), map(loader, SLF4J));
            assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, CONTEXT), map(loader, LOG4J));
            Mdc.restore(saved);
            assertEquals(Map.of(), map(loader, LOG4J));
        }
    }

    @Test
    void whenEveryApiFailsNothingIsSavedOrLeft() throws Exception {
        try (URLClassLoader loader = loader()) {
            failOn(loader, SLF4J, Mdc.ROOT);
            failOn(loader, LOG4J, Mdc.ROOT);
            assertNull(Mdc.put(CONTEXT, loader, null));
            assertEquals(Map.of(), map(loader, SLF4J));
            assertEquals(Map.of(), map(loader, LOG4J));
        }
    }

    @Test
    void theSameLoaderAgainUsesTheSameApisAndTwoLoadersAreMerged() throws Exception {
        try (URLClassLoader a = loader(); URLClassLoader b = loader()) {
            Mdc.Api[] first = Mdc.apis(a, null);
            Mdc.Api[] again = Mdc.apis(a, a);
            assertEquals(2, first.length);
            assertTrue(first[0] == again[0] && first[1] == again[1]);
            assertEquals(4, Mdc.apis(a, b).length, "each loader's own classes");
            Mdc.restore(Mdc.put(CONTEXT, a, b));
            assertEquals(2, puts(a, SLF4J));
            assertEquals(2, puts(b, SLF4J));
        }
    }

    /** Runs one server entry with {@code loader} as the handler's loader and as the thread's context loader. */
    private static void serveOnce(ClassLoader loader) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try (ServerEntry entry = ServerEntry.enter(CONTEXT, loader)) {
            assertNotNull(entry);
            assertEquals(ROOT, map(loader, SLF4J).get(Mdc.ROOT));
        } finally {
            thread.setContextClassLoader(previous);
        }
        assertEquals(Map.of(), map(loader, SLF4J));
    }

    @Test
    void aContextOverTheBoundIsTheRootAloneInTheMdc() throws Exception {
        try (URLClassLoader loader = loader()) {
            try (ServerEntry entry = ServerEntry.enter(CONTEXT + ";Big=" + "x".repeat(60 * 1024), loader)) {
                assertNotNull(entry);
                assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, "Root=" + ROOT), map(loader, SLF4J));
                assertEquals(Map.of(Mdc.ROOT, ROOT, Mdc.ID, "Root=" + ROOT), map(loader, LOG4J));
            }
            assertEquals(Map.of(), map(loader, SLF4J));
        }
    }

    @Test
    void aLoaderThatWasUsedIsNotKeptAlive() throws Exception {
        URLClassLoader loader = loader();
        serveOnce(loader);
        serveOnce(loader); // the lock-free path too
        WeakReference<ClassLoader> ref = new WeakReference<>(loader);
        loader.close();
        loader = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertNull(ref.get(), "the application's class loader is kept alive by the MDC bridge");
        // and the bridge goes on working with another loader
        try (URLClassLoader other = loader()) {
            serveOnce(other);
        }
    }
}

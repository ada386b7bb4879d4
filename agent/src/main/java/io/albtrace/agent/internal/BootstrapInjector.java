package io.albtrace.agent.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import jdk.internal.misc.Unsafe;

/**
 * Defines the core classes ({@code albtrace/boot/**.classdata}) in the bootstrap class loader, so that advice
 * inlined into any class, the JDK's included, can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass}, reached by opening that
 * package to this loader's own module only, and called directly. Appending a jar to the boot class path would also work, but makes
 * the JVM turn class-data sharing off for application classes; that is only the fallback.
 */
final class BootstrapInjector {

    private static final String SUFFIX = ".classdata";
    private static final String INDEX = "classes.index";

    private BootstrapInjector() {
    }

    /**
     * Opens {@code jdk.internal.misc} of {@code java.base} to this loader's own module only: for
     * {@code Unsafe.defineClass} and {@code CDS} ({@link ArchiveDump}). Returns the failure, or null when it is open
     * (the JVM refuses while it writes a CDS archive with {@code -Xshare:dump}: its module graph is fixed then).
     */
    static Throwable openInternals(Instrumentation instrumentation) {
        try {
            Module javaBase = Object.class.getModule();
            Module self = BootstrapInjector.class.getModule();
            instrumentation.redefineModule(javaBase, Collections.emptySet(), Collections.emptyMap(),
                    Map.of("jdk.internal.misc", Set.of(self)), Collections.emptySet(), Collections.emptyMap());
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * @param notOpened what {@link #openInternals} returned: null when {@code jdk.internal.misc} is open to the agent
     */
    static void inject(Instrumentation instrumentation, JarFile jar, String prefix, Throwable notOpened)
            throws IOException {
        Map<String, byte[]> classes = read(jar, prefix);
        Throwable failure = notOpened;
        if (failure == null) {
            try {
                defineWithUnsafe(classes);
            } catch (Throwable e) {
                failure = e;
            }
        }
        if (failure != null) {
            System.err.println("[albtrace] defining the core classes directly failed (" + failure + "); appending them"
                    + " to the boot class path instead, which turns class-data sharing off for application classes");
            appendToBootClassPath(instrumentation, classes);
        }
    }

    /**
     * The core classes, by the jar's {@value #INDEX} (written by the build), so that only their entries are read:
     * walking all of the jar's entries, Byte Buddy's thousands included, cost several milliseconds of every start.
     */
    private static Map<String, byte[]> read(JarFile jar, String prefix) throws IOException {
        JarEntry index = jar.getJarEntry(prefix + INDEX);
        if (index == null) {
            throw new IOException("the agent jar has no " + prefix + INDEX + ": it is damaged");
        }
        String list;
        try (InputStream in = jar.getInputStream(index)) {
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String line : list.split("\n")) {
            String file = line.trim();
            if (!file.endsWith(".class")) {
                continue;
            }
            String path = file.substring(0, file.length() - ".class".length());
            JarEntry entry = jar.getJarEntry(prefix + path + SUFFIX);
            if (entry == null) {
                throw new IOException("the agent jar has no " + prefix + path + SUFFIX + ": it is damaged");
            }
            try (InputStream in = jar.getInputStream(entry)) {
                classes.put(path.replace('/', '.'), in.readAllBytes());
            }
        }
        if (classes.isEmpty()) {
            throw new IOException("the agent jar's " + prefix + INDEX + " lists no classes: it is damaged");
        }
        return classes;
    }

    private static void defineWithUnsafe(Map<String, byte[]> classes) {
        // Called directly, not by reflection: since Java 18 reflection runs on method handles, and its first use
        // here cost tens of milliseconds of start-up on Java 25. The package was opened to this module (openInternals); the
        // calls link when first run (src/stub/java holds what javac compiles them against).
        Unsafe unsafe = Unsafe.getUnsafe();
        // A class can only be defined after its supertypes: retry until every class is in or no progress is made.
        List<String> pending = new ArrayList<>(classes.keySet());
        while (!pending.isEmpty()) {
            List<String> next = new ArrayList<>();
            Throwable last = null;
            for (String name : pending) {
                if (isInBootstrap(name)) {
                    continue;
                }
                byte[] bytes = classes.get(name);
                try {
                    unsafe.defineClass(name, bytes, 0, bytes.length, null, null);
                } catch (NoClassDefFoundError e) {
                    next.add(name);
                    last = e;
                }
            }
            if (next.size() == pending.size()) {
                throw new IllegalStateException("cannot define " + next, last);
            }
            pending = next;
        }
    }

    private static boolean isInBootstrap(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void appendToBootClassPath(Instrumentation instrumentation, Map<String, byte[]> classes)
            throws IOException {
        File file = Files.createTempFile("albtrace-boot-", ".jar").toFile();
        file.deleteOnExit();
        try (OutputStream out = Files.newOutputStream(file.toPath());
                JarOutputStream jar = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey().replace('.', '/') + ".class"));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(file));
    }
}

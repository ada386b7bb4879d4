package io.albtrace.agent.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Defines the core classes ({@code albtrace/boot/**.classdata}) in the bootstrap class loader, so that advice
 * inlined into any class, the JDK's included, can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass}, reached by opening that
 * package to this loader's own module only. Appending a jar to the boot class path would also work, but makes
 * the JVM turn class-data sharing off for application classes; that is only the fallback.
 */
final class BootstrapInjector {

    private static final String SUFFIX = ".classdata";

    private BootstrapInjector() {
    }

    static void inject(Instrumentation instrumentation, JarFile jar, String prefix) throws IOException {
        Map<String, byte[]> classes = read(jar, prefix);
        try {
            defineWithUnsafe(instrumentation, classes);
        } catch (Throwable e) {
            System.err.println("[albtrace] defining the core classes directly failed (" + e + "); appending them"
                    + " to the boot class path instead, which turns class-data sharing off for application classes");
            appendToBootClassPath(instrumentation, classes);
        }
    }

    private static Map<String, byte[]> read(JarFile jar, String prefix) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (name.startsWith(prefix) && name.endsWith(SUFFIX)) {
                try (InputStream in = jar.getInputStream(entry)) {
                    String className = name.substring(prefix.length(), name.length() - SUFFIX.length()).replace('/', '.');
                    classes.put(className, in.readAllBytes());
                }
            }
        }
        if (classes.isEmpty()) {
            throw new IOException("the agent jar has no " + prefix + "*" + SUFFIX + " entries: it is damaged");
        }
        return classes;
    }

    private static void defineWithUnsafe(Instrumentation instrumentation, Map<String, byte[]> classes)
            throws Exception {
        Module javaBase = Object.class.getModule();
        Module self = BootstrapInjector.class.getModule();
        instrumentation.redefineModule(javaBase, Collections.emptySet(), Collections.emptyMap(),
                Map.of("jdk.internal.misc", Set.of(self)), Collections.emptySet(), Collections.emptyMap());
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
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
                    define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof NoClassDefFoundError)) {
                        throw e;
                    }
                    next.add(name);
                    last = e.getCause();
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

package io.albtrace.smoke.app;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The control for the class-data sharing test: an agent that appends a jar to the boot class path, which is
 * what makes the JVM give up sharing application classes. The smoke test packs it into a jar of its own.
 */
public final class BootAppendAgent {

    private BootAppendAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws IOException {
        File file = Files.createTempFile("boot-append-", ".jar").toFile();
        file.deleteOnExit();
        try (OutputStream out = Files.newOutputStream(file.toPath()); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("boot-append.txt"));
            jar.closeEntry();
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(file));
    }
}

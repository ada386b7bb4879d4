package io.albtrace.instrumentation.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Loads woven classes in a JVM of its own that verifies every class it loads, the JDK's own included
 * ({@code -XX:+BytecodeVerificationLocal}; a JVM skips those by default, so a frame the weaver got wrong in
 * {@code java.lang.Thread} would otherwise go unseen until it broke a user's JVM). Its input is a directory with one
 * sub-directory per variant, each holding {@code binary.Name.class} files:
 * <ul>
 * <li>{@value #JDK} and {@value #JDK_WITHOUT_FRAMES}: the JDK's own classes (the forked JVM must be the JDK they
 * were read from);</li>
 * <li>{@value #LIBRARY}: a library's classes (the forked JVM's class path has the library).</li>
 * </ul>
 * Each class is loaded as it is and redefined with the woven bytes, as the agent retransforms a class.
 * It prints one line per class, {@code VERIFIED variant name} or {@code FAILED variant name: error}.
 */
public final class VerifyWoven {

    public static final String JDK = "jdk";
    public static final String JDK_WITHOUT_FRAMES = "jdk-without-frames";
    public static final String LIBRARY = "library";

    /** Generous: the forked JVM verifies a few dozen classes in a second or two; this only stops a hung one. */
    private static final long HUNG_MINUTES = 10;

    private VerifyWoven() {
    }

    /** What the forked JVM said. */
    public static final class Outcome {
        public int verified;
        public final List<String> failures = new ArrayList<>();
    }

    /** Runs a JVM of the running JDK over {@code input} with this class path; what it verified and what failed. */
    public static Outcome fork(Path input, String classPath) {
        Outcome outcome = new Outcome();
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UnlockDiagnosticVMOptions");
        command.add("-XX:+BytecodeVerificationLocal");
        command.add("-XX:+BytecodeVerificationRemote");
        // the default class-data sharing archive was not made with BytecodeVerificationLocal: it would not map
        command.add("-Xshare:off");
        // the advice's exception handlers call io.albtrace.core.Log, from the JDK's classes too: core on the boot
        // class path, where the agent defines it
        command.add("-Xbootclasspath/a:" + root("io/albtrace/core/Log.class"));
        command.add("-javaagent:" + root("net/bytebuddy/agent/ByteBuddyAgent.class"));
        command.add("-cp");
        command.add(classPath);
        command.add(VerifyWoven.class.getName());
        command.add(input.toAbsolutePath().toString());
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(HUNG_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                outcome.failures.add("the forked JVM did not end: " + output);
                return outcome;
            }
            for (String line : output.split("\n")) {
                if (line.startsWith("VERIFIED ")) {
                    outcome.verified++;
                } else if (line.startsWith("FAILED ")) {
                    outcome.failures.add("forked JVM: " + line.substring("FAILED ".length()));
                }
            }
            if (process.exitValue() != 0) {
                outcome.failures.add("the forked JVM exited with " + process.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return outcome;
    }

    /** The jar or directory a resource of this JVM's class path (the boot class path included) comes from. */
    private static String root(String resource) {
        URL url = ClassLoader.getSystemResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " is not on the class path");
        }
        try {
            String external = url.toExternalForm();
            if (external.startsWith("jar:")) {
                return Paths.get(new URL(external.substring("jar:".length(), external.indexOf("!/"))).toURI())
                        .toString();
            }
            Path file = Paths.get(url.toURI());
            for (int i = resource.split("/").length; i > 0; i--) {
                file = file.getParent();
            }
            return file.toString();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }

    public static void main(String[] args) throws IOException {
        Path input = Paths.get(args[0]);
        Instrumentation instrumentation = ByteBuddyAgent.getInstrumentation();
        boolean failed = false;
        for (String variant : new String[] {JDK, JDK_WITHOUT_FRAMES, LIBRARY}) {
            for (Path file : classFiles(input.resolve(variant))) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - ".class".length());
                try {
                    // as the agent changes a class: the class as loaded (not initialized), redefined with the woven
                    // bytes, which the JVM verifies (and, the class loaded where it belongs, links as the original)
                    Class<?> loaded = Class.forName(name, false, ClassLoader.getSystemClassLoader());
                    instrumentation.redefineClasses(new ClassDefinition(loaded, Files.readAllBytes(file)));
                    System.out.println("VERIFIED " + variant + " " + name);
                } catch (Throwable e) {
                    failed = true;
                    System.out.println("FAILED " + variant + " " + name + ": " + e);
                }
            }
        }
        System.out.flush();
        System.exit(failed ? 1 : 0);
    }

    private static List<Path> classFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList());
        }
    }
}

package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Starts a separate JVM and waits for it, bounded: {@code java} from {@code java.home} (or another JDK), a clean
 * environment (no inherited {@code JAVA_TOOL_OPTIONS} or {@code ALBTRACE_*}), stdout and stderr into files
 * under {@code target/smoke}, killed when it outlives its timeout.
 */
final class Jvm {

    /** The built agent jar, the demo jar and the rest, as failsafe passes them (see the pom). */
    static final Path AGENT_JAR = path("albtrace.smoke.agent.jar");
    static final Path DEMO_JAR = path("albtrace.smoke.demo.jar");
    static final Path TEST_CLASSES = path("albtrace.smoke.test.classes");
    static final Path WORK = path("albtrace.smoke.work");
    static final String VERSION = property("albtrace.smoke.version");
    /** target/apps: the front and back test applications and their library sets (lib/<set>/). */
    static final Path APPS = path("albtrace.smoke.apps");

    /** Temurin 25, where the machine has it (the parent pom's jdk25 profile runs the unit tests on it too). */
    static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64");

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private Path javaHome = Paths.get(System.getProperty("java.home"));
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> mainArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private String name = "run";
    /** What is run from the JDK's bin directory: java, or a tool ({@link #tool}). */
    private String executable = "java";

    private Jvm() {
    }

    static Jvm java() {
        return new Jvm();
    }

    /** {@code -Dalbtrace.smoke.require.jdk25=true} (CI: .ci/run): a machine without {@link #JDK25} fails ChainIT. */
    static final boolean REQUIRE_JDK25 = Boolean.getBoolean("albtrace.smoke.require.jdk25");
    private static final java.util.concurrent.atomic.AtomicBoolean JDK25_MISSING_SAID =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The JDKs to run on: the one running the tests and, when installed, {@link #JDK25}. Without it, says once, loudly
     * on stderr, that the JDK 25 half of the matrix does not run ({@link #jdk25Missing}; ChainIT reports it too).
     */
    static List<Path> jdks() {
        List<Path> homes = new ArrayList<>();
        homes.add(Paths.get(System.getProperty("java.home")).toAbsolutePath().normalize());
        if (Files.isExecutable(JDK25.resolve("bin").resolve("java")) && !homes.contains(JDK25)) {
            homes.add(JDK25);
        } else if (!homes.contains(JDK25) && JDK25_MISSING_SAID.compareAndSet(false, true)) {
            System.err.println("[smoke] " + jdk25Missing());
        }
        return homes;
    }

    /** Why the JDK 25 half of the matrix did not run, or null when it does. */
    static String jdk25Missing() {
        if (Files.isExecutable(JDK25.resolve("bin").resolve("java"))) {
            return null;
        }
        return "JDK 25 HALF OF THE SMOKE-TEST MATRIX DID NOT RUN: no Temurin 25 at " + JDK25
                + " (only " + System.getProperty("java.home") + ")"
                + (REQUIRE_JDK25 ? "; -Dalbtrace.smoke.require.jdk25=true requires it" : "");
    }

    /** The feature release of the JDK at {@code home}, from its {@code release} file: 17, 25, ... */
    static int feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        throw new IllegalStateException("cannot tell the Java version of " + home);
    }

    /** The agent's command-line flag: {@code -javaagent:<built jar>}. */
    static String javaagent() {
        return "-javaagent:" + AGENT_JAR;
    }

    /** The class path of the test applications: the compiled test classes, OkHttp and the app's Byte Buddy. */
    static String testAppClassPath() {
        try {
            String deps = Files.readString(path("albtrace.smoke.app.classpath.file")).trim();
            return TEST_CLASSES + File.pathSeparator + deps;
        } catch (IOException e) {
            throw new IllegalStateException("run the tests with mvn verify: " + e, e);
        }
    }

    /** A jar of the test applications' class path by its file name, e.g. {@code byte-buddy-agent-1.14.19.jar}. */
    static Path testAppJar(String fileName) {
        try {
            String deps = Files.readString(path("albtrace.smoke.app.classpath.file")).trim();
            for (String entry : deps.split(File.pathSeparator)) {
                Path jar = Paths.get(entry);
                if (jar.getFileName().toString().equals(fileName)) {
                    return jar;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("run the tests with mvn verify: " + e, e);
        }
        throw new IllegalStateException("no " + fileName + " on the test applications' class path");
    }

    /** The jars of {@code target/apps/lib/<set>} whose file names start with one of {@code prefixes}. */
    static List<Path> libJars(String set, String... prefixes) {
        Path lib = APPS.resolve("lib").resolve(set);
        try (java.util.stream.Stream<Path> files = Files.list(lib)) {
            List<Path> jars = files.filter(f -> Arrays.stream(prefixes).anyMatch(p -> f.getFileName().toString()
                    .startsWith(p))).sorted().collect(Collectors.toList());
            if (jars.isEmpty()) {
                throw new IllegalStateException("no " + Arrays.toString(prefixes) + " in " + lib);
            }
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("no library set " + lib + ": run the tests with mvn verify", e);
        }
    }

    /** The class path of the front service with the libraries of {@code target/apps/lib/<set>}. */
    static String frontClassPath(String set) {
        Path lib = APPS.resolve("lib").resolve(set);
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no library set " + lib + ": run the tests with mvn verify");
        }
        return APPS.resolve("albtrace-front.jar") + File.pathSeparator + lib + File.separator + "*";
    }

    /** The class path of the back service: its jar alone. */
    static String backClassPath() {
        return APPS.resolve("albtrace-back.jar").toString();
    }

    Jvm named(String runName) {
        this.name = runName.replaceAll("[^A-Za-z0-9._-]", "_");
        return this;
    }

    Jvm home(Path jdkHome) {
        this.javaHome = jdkHome;
        return this;
    }

    Jvm jvmArgs(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    Jvm env(String key, String value) {
        env.put(key, value);
        return this;
    }

    Jvm timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** {@code java <jvm args> -jar <jar> <args>}. */
    Result jar(Path jar, String... args) {
        mainArgs.add("-jar");
        mainArgs.add(jar.toString());
        mainArgs.addAll(Arrays.asList(args));
        return run();
    }

    private void classAndArgs(String classPath, String mainClass, String... args) {
        mainArgs.add("-cp");
        mainArgs.add(classPath);
        mainArgs.add(mainClass);
        mainArgs.addAll(Arrays.asList(args));
    }

    /** {@code java <jvm args> -cp <class path> <main class> <args>}. */
    Result main(String classPath, String mainClass, String... args) {
        classAndArgs(classPath, mainClass, args);
        return run();
    }

    /**
     * {@code <jdk>/bin/<tool> <args>}: a JDK tool such as {@code jcmd} or {@code keytool}, with the environment set
     * by {@link #env} (options for its JVM go in {@code JAVA_TOOL_OPTIONS}; {@link #jvmArgs} do not apply).
     */
    Result tool(String tool, String... args) {
        if (!jvmArgs.isEmpty()) {
            throw new IllegalStateException("a tool takes its JVM options from JAVA_TOOL_OPTIONS, not " + jvmArgs);
        }
        executable = tool;
        mainArgs.addAll(Arrays.asList(args));
        return run();
    }

    /**
     * {@code java <jvm args> -cp <class path> <main class> <args>} in the background, for a service: returns once it
     * printed {@code listening on <port>} on stdout (bounded by the timeout), and is stopped by {@link Service#close}.
     * It runs with {@code -Dsmoke.exitOnStdinEof=true} and its stdin held open by this JVM: the test applications
     * (BackApp, FrontApp) then end when this JVM ends, even killed (fork timeout, a cancelled CI job), not linger.
     */
    Service service(String classPath, String mainClass, String... args) {
        classAndArgs(classPath, mainClass, args);
        List<String> command = command();
        command.add(1, "-D" + io.albtrace.smoke.apps.BackApp.EXIT_ON_STDIN_EOF + "=true");
        try {
            Path[] files = outputFiles();
            Process p = processBuilder(command, files).start();
            Service s = new Service(describe(command), p, files[0], files[1]);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                java.util.regex.Matcher m = LISTENING.matcher(read(files[0]));
                if (m.find()) {
                    s.port = Integer.parseInt(m.group(1));
                    return s;
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    s.close();
                    fail((p.isAlive() ? "the service did not start listening within " + timeout.toSeconds() + " s"
                            : "the service exited") + ": " + s.dump());
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + describe(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + describe(command), e);
        }
    }

    /**
     * {@code java <jvm args> -cp <class path> <main class> <args>}, left running with its stdin open: see
     * {@link Background}. Close it (try-with-resources) so that it never outlives the test.
     */
    Background start(String classPath, String mainClass, String... args) {
        classAndArgs(classPath, mainClass, args);
        List<String> command = command();
        try {
            Path[] files = outputFiles();
            Process p = processBuilder(command, files).start();
            return new Background(command, p, files[0], files[1], timeout);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + describe(command), e);
        }
    }

    private static final java.util.regex.Pattern LISTENING = java.util.regex.Pattern.compile("listening on (\\d+)");

    /** A JVM running in the background ({@link #service}); {@link #close} stops it and everything it started. */
    static final class Service implements AutoCloseable {
        private final String command;
        private final Process process;
        private final Path out;
        private final Path err;
        private int port;

        private Service(String command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        int port() {
            return port;
        }

        long pid() {
            return process.pid();
        }

        java.net.URI uri() {
            return java.net.URI.create("http://127.0.0.1:" + port);
        }

        String out() {
            try {
                return read(out);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        String err() {
            try {
                return read(err);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        /** Its stderr so far, byte for byte. */
        byte[] errBytes() throws IOException {
            return Files.readAllBytes(err);
        }

        /** For assertion messages: the command and what it printed so far. */
        String dump() {
            return "\n$ " + command + "\n--- stdout\n" + out() + "--- stderr\n" + err();
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroy();
            try {
                process.getOutputStream().close(); // its stdin: held open until now (see service)
            } catch (IOException e) {
                // it has ended already
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve(executable).toString());
        command.addAll(jvmArgs);
        command.addAll(mainArgs);
        return command;
    }

    /** A file beside the runs' output, under target/smoke/runs, named after {@code name}: for a JVM's own logs. */
    static Path runFile(String name) {
        try {
            Path dir = Files.createDirectories(WORK.resolve("runs"));
            return dir.resolve(String.format("%03d-%s", RUNS.incrementAndGet(), name.replaceAll("[^A-Za-z0-9._-]", "_")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** stdout and stderr files for the next run, under target/smoke/runs. */
    private Path[] outputFiles() throws IOException {
        Path dir = Files.createDirectories(WORK.resolve("runs"));
        String stem = String.format("%03d-%s", RUNS.incrementAndGet(), name);
        return new Path[] {dir.resolve(stem + ".out"), dir.resolve(stem + ".err")};
    }

    private ProcessBuilder processBuilder(List<String> command, Path[] files) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(WORK.toFile())
                .redirectOutput(files[0].toFile())
                .redirectError(files[1].toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("ALBTRACE_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        e.putAll(env);
        return pb;
    }

    private Result run() {
        List<String> command = command();
        try {
            Path[] files = outputFiles();
            Path out = files[0];
            Path err = files[1];
            long started = System.nanoTime();
            Process p = processBuilder(command, files).start();
            p.getOutputStream().close(); // no input
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("the JVM did not finish within " + timeout.toSeconds() + " s and was killed: " + describe(command)
                        + "\n--- stdout\n" + read(out) + "\n--- stderr\n" + read(err));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<String> shown = new ArrayList<>();
            env.forEach((k, v) -> shown.add(k + "=" + v));
            shown.addAll(command);
            return new Result(shown, p.exitValue(), read(out), read(err), took);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + describe(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + describe(command), e);
        }
    }

    private String describe(List<String> command) {
        String prefix = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + " ")
                .collect(Collectors.joining());
        return prefix + String.join(" ", command);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the tests with mvn verify");
        }
        return v;
    }

    private static Path path(String key) {
        return Paths.get(property(key)).toAbsolutePath().normalize();
    }

    /**
     * A JVM left running: lines go to its stdin; its stdout and stderr go to files under {@code target/smoke},
     * read as they grow. Every wait is bounded by the timeout; closing kills it if it is still running.
     */
    static final class Background implements AutoCloseable {

        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;
        private final Duration timeout;
        private final java.io.Writer stdin;
        /** How many stdout lines the waits have consumed. */
        private int consumed;

        Background(List<String> command, Process process, Path out, Path err, Duration timeout) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
            this.timeout = timeout;
            this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Writes one line to its stdin. */
        Background send(String line) {
            try {
                stdin.write(line + "\n");
                stdin.flush();
            } catch (IOException e) {
                fail("cannot write '" + line + "' to the JVM: " + e + dump());
            }
            return this;
        }

        /**
         * Waits for the next stdout line, after those consumed already, that {@code last} accepts and returns the
         * lines up to and including it; they are consumed.
         */
        List<String> readUntil(java.util.function.Predicate<String> last) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<String> lines = out().lines().collect(Collectors.toList());
                // a line is complete once a newline follows it
                int complete = out().endsWith("\n") ? lines.size() : lines.size() - 1;
                for (int i = consumed; i < complete; i++) {
                    if (last.test(lines.get(i))) {
                        List<String> read = new ArrayList<>(lines.subList(consumed, i + 1));
                        consumed = i + 1;
                        return read;
                    }
                }
                if (!process.isAlive()) {
                    fail("the JVM ended (exit " + process.exitValue() + ") before printing the line awaited" + dump());
                }
                if (System.nanoTime() > deadline) {
                    fail("the JVM did not print the line awaited within " + timeout.toSeconds() + " s" + dump());
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        /** Closes its stdin and waits for it to end; returns its exit status. */
        int finish() {
            try {
                stdin.close();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    fail("the JVM did not end within " + timeout.toSeconds() + " s of its stdin closing" + dump());
                }
                return process.exitValue();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String out() {
            try {
                return read(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String err() {
            try {
                return read(err);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Its stderr lines from the agent: those that start with {@code [albtrace]}. */
        List<String> agentLines() {
            return err().lines().filter(l -> l.startsWith("[albtrace]")).collect(Collectors.toList());
        }

        /** For assertion messages: the command and everything it printed so far. */
        String dump() {
            return "\n$ " + String.join(" ", command) + " (pid " + process.pid() + ")\n--- stdout\n" + out()
                    + "--- stderr\n" + err();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** What a JVM did; {@code command} starts with the environment variables set for it ({@code KEY=value}). */
    record Result(List<String> command, int exit, String out, String err, Duration took) {

        List<String> outLines() {
            return out.lines().collect(Collectors.toList());
        }

        List<String> errLines() {
            return err.lines().collect(Collectors.toList());
        }

        /** The agent's own stderr lines: those that start with {@code [albtrace]}. */
        List<String> agentLines() {
            return err.lines().filter(l -> l.startsWith("[albtrace]")).collect(Collectors.toList());
        }

        /** For assertion messages: the command and everything it printed. */
        String dump() {
            return "\n$ " + String.join(" ", command) + "\n(exit " + exit + ", " + took.toMillis() + " ms)\n--- stdout\n"
                    + out + "--- stderr\n" + err;
        }
    }
}

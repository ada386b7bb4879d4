package io.albtrace.smoke;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code podman} commands for the container smoke tests, each bounded by a timeout (killed when it outlives
 * it), with its stdout and stderr kept in files under {@code target/smoke/containers} (and returned).
 */
final class Podman {

    static final Duration SHORT = Duration.ofSeconds(30);
    static final Duration BUILD = Duration.ofMinutes(5);

    /** The podman command: {@code podman} on the PATH unless {@code -Dalbtrace.smoke.podman=...} names another. */
    static final String COMMAND = System.getProperty("albtrace.smoke.podman", "podman");

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path logs;

    Podman(Path logs) {
        this.logs = logs;
        try {
            if (Files.isDirectory(logs)) { // the previous run's files
                try (var old = Files.list(logs)) {
                    for (Path f : (Iterable<Path>) old::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear " + logs, e);
        }
    }

    /** What a podman command did. */
    record Result(List<String> command, int exit, String out, String err, Duration took) {
        boolean ok() {
            return exit == 0;
        }

        String dump() {
            return "\n$ " + String.join(" ", command) + "\n(exit " + exit + ", " + took.toMillis() + " ms)\n--- stdout\n"
                    + out + "--- stderr\n" + err;
        }
    }

    /** {@code podman <args>}, bounded by {@code timeout}; never throws for a non-zero exit (see {@link #check}). */
    Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(COMMAND);
        command.addAll(Arrays.asList(args));
        long started = System.nanoTime();
        try {
            Files.createDirectories(logs);
            String stem = String.format("%03d-%s", RUNS.incrementAndGet(), args.length == 0 ? "podman" : args[0]);
            Path out = logs.resolve(stem + ".out");
            Path err = logs.resolve(stem + ".err");
            Files.writeString(logs.resolve(stem + ".cmd"), String.join(" ", command) + "\n");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("ALBTRACE_") || k.equals("JAVA_TOOL_OPTIONS"));
            Process p = pb.start();
            p.getOutputStream().close();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String errText = read(err);
            if (!done) {
                errText += "\n(killed: podman did not finish within " + timeout.toSeconds() + " s)";
            }
            return new Result(command, done ? p.exitValue() : -1, read(out), errText, took);
        } catch (IOException e) {
            // No podman on the PATH lands here: a clear result rather than an exception.
            return new Result(command, -1, "", "cannot run " + String.join(" ", command) + ": " + e,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(command, -1, "", "interrupted", Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** {@code podman <args>} that must succeed: an AssertionError with everything it printed otherwise. */
    Result check(Duration timeout, String... args) {
        Result r = run(timeout, args);
        if (!r.ok()) {
            throw new AssertionError("podman failed:" + r.dump());
        }
        return r;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}

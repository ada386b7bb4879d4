package io.albtrace.agent.internal;

import io.albtrace.agent.AlbtraceAgent;
import io.albtrace.core.Config;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar albtrace-agent.jar attach PID [key=value[,key=value...] ...]}: loads this agent jar into the
 * running JVM {@code PID} with Byte Buddy's attacher, the settings given as agent arguments, and says what the
 * agent did there.
 */
final class Attach {

    /** Exit statuses. */
    static final int OK = 0;
    static final int AGENT_FAILED = 1;
    static final int USAGE = 2;
    static final int NO_PROCESS = 3;
    static final int NOT_ATTACHABLE = 4;
    static final int NO_ATTACH_MODULE = 5;

    static final String USAGE_LINE = "java -jar albtrace-agent.jar attach PID [key=value[,key=value...] ...]";

    private static final String PREFIX = "[albtrace] ";
    private static final long SIGQUIT_MASK = 1L << (3 - 1);

    private final PrintStream out;
    private final PrintStream err;

    Attach(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** A command line that cannot be carried out as given: its message and exit status. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** What to attach to, and with which settings ({@code key=value,...}, empty for none). */
    static final class Request {
        final long pid;
        final String settings;

        Request(long pid, String settings) {
            this.pid = pid;
            this.settings = settings;
        }
    }

    /** Runs the command; {@code args[0]} is "attach". Returns the exit status. */
    int run(String[] args) {
        try {
            Request request = parse(args, ProcessHandle.current().pid());
            requireAttachModule();
            requireAttachable(request.pid);
            return attach(request);
        } catch (Refusal r) {
            err.println(PREFIX + r.getMessage());
            return r.status;
        }
    }

    /** The request on this command line, checked without looking at any process. */
    static Request parse(String[] args, long self) throws Refusal {
        if (args.length < 2) {
            throw new Refusal(USAGE, "attach needs the id of a running JVM: " + USAGE_LINE);
        }
        String id = args[1];
        long pid;
        try {
            pid = Long.parseLong(id);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            throw new Refusal(USAGE, "'" + id + "' is not a process id (a whole number above 0): " + USAGE_LINE);
        }
        if (pid == self) {
            throw new Refusal(USAGE, pid + " is this command's own JVM; give the id of another one");
        }
        List<String> parts = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            for (String[] pair : Config.splitArguments(args[i])) {
                String error = settingError(pair[0], pair[1]);
                if (error != null) {
                    errors.add(error);
                } else {
                    parts.add(pair[0] + "=" + pair[1]);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new Refusal(USAGE, String.join("; ", errors) + "; nothing was attached. Known settings: "
                    + String.join(", ", Config.knownKeys()));
        }
        return new Request(pid, String.join(",", parts));
    }

    private static String settingError(String key, String value) {
        if (value == null) {
            return "'" + key + "' is not key=value";
        }
        if (!Config.knownKeys().contains(key)) {
            return "unknown setting '" + key + "'";
        }
        String why = Config.invalidValue(key, value);
        return why == null ? null : key + "=" + value + " " + why;
    }

    private static void requireAttachModule() throws Refusal {
        if (!ModuleLayer.boot().findModule("jdk.attach").isPresent()) {
            throw new Refusal(NO_ATTACH_MODULE, "this Java (" + System.getProperty("java.home")
                    + ") has no jdk.attach module, so it cannot attach to another JVM; run this command with the"
                    + " java of a JDK (a JRE or a jlink image without jdk.attach cannot)");
        }
    }

    /**
     * Refuses a process that is gone, or, on Linux, one that surely is not a JVM ready for attach. Attaching
     * sends the process SIGQUIT when its attach listener is not running yet; that kills a process that does not
     * handle SIGQUIT, so such a process is left alone.
     */
    private static void requireAttachable(long pid) throws Refusal {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (!process.isPresent() || !process.get().isAlive()) {
            throw new Refusal(NO_PROCESS, "there is no process " + pid);
        }
        Path proc = Paths.get("/proc", Long.toString(pid));
        String status;
        try {
            status = new String(Files.readAllBytes(proc.resolve("status")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return; // not Linux, or not readable: the attach itself will tell
        }
        if (isZombie(status)) {
            throw new Refusal(NO_PROCESS, "process " + pid + " has exited");
        }
        String what = "process " + pid + process.get().info().command().map(c -> " (" + c + ")").orElse("");
        if (Files.exists(proc.resolve("root/tmp/.java_pid" + namespacePid(status, pid)))) {
            return; // its attach listener is running already
        }
        Boolean catches = catchesSigquit(status);
        if (Boolean.FALSE.equals(catches)) {
            throw new Refusal(NOT_ATTACHABLE, what + " is not a JVM that can be attached to: it does not handle"
                    + " SIGQUIT, which attaching sends (not a Java process, a JVM started with -Xrs, or one still"
                    + " starting); nothing was sent to it");
        }
    }

    /** Whether a {@code /proc/PID/status} text says the process catches SIGQUIT; null when it does not say. */
    static Boolean catchesSigquit(String status) {
        String mask = field(status, "SigCgt:");
        if (mask == null) {
            return null;
        }
        try {
            return (Long.parseUnsignedLong(mask, 16) & SIGQUIT_MASK) != 0;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The process id inside its own PID namespace (a container), from {@code NSpid:}; else {@code pid}. */
    static long namespacePid(String status, long pid) {
        String ns = field(status, "NSpid:");
        if (ns != null) {
            String[] ids = ns.split("\\s+");
            try {
                return Long.parseLong(ids[ids.length - 1]);
            } catch (NumberFormatException e) {
                // below
            }
        }
        return pid;
    }

    static boolean isZombie(String status) {
        String state = field(status, "State:");
        return state != null && (state.startsWith("Z") || state.startsWith("X"));
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(name.length()).trim();
            }
        }
        return null;
    }

    private int attach(Request request) throws Refusal {
        File jar = agentJar();
        Path report = null;
        try {
            Path file = Files.createTempFile("albtrace-attach-", ".txt");
            if (file.toString().indexOf(',') < 0) {
                report = file;
                giveTo(file, request.pid);
            } else {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            // no report: the agent's messages are on the target's stderr
        }
        String arguments = (report == null ? "" : AlbtraceAgent.REPORT_ARGUMENT + report
                + (request.settings.isEmpty() ? "" : ",")) + request.settings;
        try {
            ByteBuddyAgent.attach(jar, Long.toString(request.pid), arguments.isEmpty() ? null : arguments);
            return reportOutcome(request, readReport(report));
        } catch (RuntimeException | LinkageError e) {
            throw refusal(request.pid, e);
        } finally {
            if (report != null) {
                try {
                    Files.deleteIfExists(report);
                } catch (IOException e) {
                    // a leftover empty file in the temporary directory
                }
            }
        }
    }

    /** Root attaching to another user's JVM: that user must be able to write the report (mode 600). */
    private static void giveTo(Path file, long pid) {
        try {
            String status = new String(Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "status")),
                    StandardCharsets.UTF_8);
            String uids = field(status, "Uid:");
            Object mine = Files.getAttribute(file, "unix:uid");
            if (uids != null && Integer.valueOf(0).equals(mine)) {
                int uid = Integer.parseInt(uids.split("\\s+")[1]); // the effective uid
                if (uid != 0) {
                    Files.setAttribute(file, "unix:uid", uid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the report may not come back, which is said then
        }
    }

    private static List<String> readReport(Path report) {
        if (report == null) {
            return List.of();
        }
        try {
            return Files.readAllLines(report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Prints what the agent reported from the target and returns the exit status. */
    int reportOutcome(Request request, List<String> report) {
        long pid = request.pid;
        String first = report.isEmpty() ? "" : report.get(0);
        int space = first.indexOf(' ');
        String status = space < 0 ? first : first.substring(0, space);
        String text = space < 0 ? "" : first.substring(space + 1);
        for (String line : report.subList(Math.min(1, report.size()), report.size())) {
            if (line.startsWith(AlbtraceAgent.PROBLEM + " ")) {
                err.println(PREFIX + "JVM " + pid + ": " + line.substring(AlbtraceAgent.PROBLEM.length() + 1));
            }
        }
        switch (status) {
            case AlbtraceAgent.STARTED:
            case AlbtraceAgent.DISABLED:
                out.println(PREFIX + "attached to JVM " + pid + " (" + text + ")");
                return OK;
            case AlbtraceAgent.ALREADY:
                out.println(PREFIX + "JVM " + pid + " already runs albtrace: nothing changed"
                        + (request.settings.isEmpty() ? "" : ", the settings given are not applied"));
                return OK;
            case AlbtraceAgent.FAILED:
                err.println(PREFIX + "attached to JVM " + pid + ", but the agent could not start there (it runs"
                        + " on without it): " + text);
                return AGENT_FAILED;
            default:
                out.println(PREFIX + "attached to JVM " + pid + " (it did not report back: the agent's messages,"
                        + " if any, are on that JVM's stderr)");
                return OK;
        }
    }

    /** Turns what the attacher threw into a message and an exit status. */
    static Refusal refusal(long pid, Throwable thrown) {
        Throwable cause = thrown;
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (!(t instanceof InvocationTargetException) && !(t instanceof IllegalStateException
                    && t.getCause() != null)) {
                cause = t;
                break;
            }
        }
        String name = cause.getClass().getName();
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        switch (name) {
            case "com.sun.tools.attach.AttachNotSupportedException":
                return new Refusal(NOT_ATTACHABLE, "JVM " + pid + " cannot be attached to: " + message
                        + hint(message));
            case "com.sun.tools.attach.AgentLoadException":
                return new Refusal(NOT_ATTACHABLE, "JVM " + pid + " did not load the agent: " + message
                        + hint(message));
            case "com.sun.tools.attach.AgentInitializationException":
                return new Refusal(AGENT_FAILED, "the agent failed to start in JVM " + pid + ": " + message);
            default:
                if (cause instanceof IllegalStateException && message.contains("No compatible attachment provider")) {
                    return new Refusal(NO_ATTACH_MODULE, "this Java (" + System.getProperty("java.home")
                            + ") cannot attach to another JVM: " + message);
                }
                return new Refusal(NOT_ATTACHABLE, "cannot attach to process " + pid + ": "
                        + (cause instanceof IOException ? message : cause.toString()) + hint(message));
        }
    }

    private static String hint(String message) {
        if (message.contains("does not support the attach mechanism")) {
            return " (it was started with -XX:+DisableAttachMechanism, or is not a HotSpot JVM)";
        }
        if (message.contains("doesn't respond") || message.contains("Unable to open socket file")) {
            return " (is it a JVM, run by this user, in this container? A JVM started with -XX:+DisableAttachMechanism"
                    + " does not answer)";
        }
        return "";
    }

    private static File agentJar() throws Refusal {
        try {
            File jar = new File(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.isFile()) {
                return jar;
            }
        } catch (Exception e) {
            // below
        }
        throw new Refusal(AGENT_FAILED, "cannot tell where the agent jar is: run this command as java -jar"
                + " albtrace-agent.jar attach PID");
    }
}

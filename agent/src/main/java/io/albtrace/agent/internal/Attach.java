package io.albtrace.agent.internal;

import io.albtrace.agent.AlbtraceAgent;
import io.albtrace.core.Config;
import io.albtrace.core.Log;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
    static final int NO_REPORT = 6;

    /** The most of the agent's report read back; the rest is ignored. */
    static final int REPORT_LIMIT = 64 * 1024;
    /** How long to wait for the target to load the agent, in seconds: a system property of this command. */
    static final String TIMEOUT_PROPERTY = "io.albtrace.attach.timeout";
    private static final long DEFAULT_TIMEOUT_SECONDS = 60;

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
            err.println(PREFIX + Log.printable(r.getMessage()));
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
            throw new Refusal(USAGE, "'" + Log.value(id) + "' is not a process id (a whole number above 0): "
                    + USAGE_LINE);
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

    /**
     * What is wrong with one setting given on the command line, or null. A value is not echoed whole (it may be a
     * secret pasted in the wrong place: {@link Log#hidden}); a key is escaped and cut.
     */
    private static String settingError(String key, String value) {
        if (value == null) {
            return "'" + Log.hidden(key) + "' is not key=value";
        }
        if (!Config.knownKeys().contains(key)) {
            return "unknown setting '" + Log.value(key) + "'";
        }
        String why = Config.invalidValue(key, value);
        return why == null ? null : Config.refused(key, value, why, null);
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

    /** The report file: where this command made it, and the name the target opens it by. */
    static final class Report {
        final Path dir;
        final Path file;
        final String seen;
        final Object key;

        Report(Path dir, Path file, String seen, Object key) {
            this.dir = dir;
            this.file = file;
            this.seen = seen;
            this.key = key;
        }

        void delete() {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException | RuntimeException e) {
                // a leftover file in the temporary directory
            }
        }
    }

    private int attach(Request request) throws Refusal {
        File jar = agentJar();
        Report report = makeReport(request.pid, message -> err.println(PREFIX + Log.printable(message)));
        String arguments = (report == null ? "" : AlbtraceAgent.REPORT_ARGUMENT + report.seen
                + (request.settings.isEmpty() ? "" : ",")) + request.settings;
        try {
            loadAgent(jar, request.pid, arguments.isEmpty() ? null : arguments, timeoutSeconds());
            return reportOutcome(request, report == null ? null : readReport(report.file, report.key));
        } finally {
            if (report != null) {
                report.delete();
            }
        }
    }

    /** {@link ByteBuddyAgent#attach} on a daemon thread, for at most {@code seconds}: agentmain may block. */
    static void loadAgent(File jar, long pid, String arguments, long seconds) throws Refusal {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread attacher = new Thread(() -> {
            try {
                ByteBuddyAgent.attach(jar, Long.toString(pid), arguments);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "albtrace-attach");
        attacher.setDaemon(true);
        attacher.start();
        try {
            attacher.join(seconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (attacher.isAlive()) {
            throw new Refusal(NOT_ATTACHABLE, "JVM " + pid + " did not finish loading the agent within " + seconds
                    + " s (its attach listener or the agent's start is stuck); it may still start there later: see"
                    + " that JVM's stderr");
        }
        Throwable t = thrown.get();
        if (t instanceof RuntimeException || t instanceof LinkageError) {
            throw refusal(pid, t);
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw refusal(pid, t);
        }
    }

    static long timeoutSeconds() {
        try {
            long seconds = Long.parseLong(System.getProperty(TIMEOUT_PROPERTY, "").trim());
            return seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS;
        } catch (NumberFormatException e) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
    }

    /**
     * Makes a private directory (mode 711, this user's) and an empty file in it (mode 600), the only thing given
     * to the target's user when they differ (root attaching). On Linux both go in the target's own /tmp, through
     * {@code /proc/PID/root} (its mount namespace: a private /tmp, a container), and the target is given the name
     * as it sees it, unless that /tmp is not a plain directory ({@link #makeReportInRoot}, which says why through
     * {@code say}); else, and elsewhere, in this command's temporary directory. Null when none can be made.
     */
    static Report makeReport(long pid, Consumer<String> say) {
        Path root = Paths.get("/proc", Long.toString(pid), "root");
        if (Files.isDirectory(root)) {
            Report report = makeReportInRoot(root, pid, say);
            if (report != null) {
                return report;
            }
        }
        return makeReport(Paths.get(System.getProperty("java.io.tmpdir")), null, pid, null);
    }

    /**
     * A report in {@code root/tmp}, the target's /tmp as this command reaches it through the target's root, or null.
     * That /tmp must be a directory, not a symbolic link: this command would resolve a link itself, an absolute one
     * from this machine's root and a relative one by climbing out of the target's root with {@code ..}, so a
     * container whose /tmp is a link could have this command (root, from the host) make the directory, and give a
     * file in it to the container's user, in one of this machine's own directories. Such a /tmp, or one that is not
     * a directory, is said through {@code say} and not used; a target without one is not said (this command's own
     * temporary directory serves, as on a system without {@code /proc}).
     */
    static Report makeReportInRoot(Path root, long pid, Consumer<String> say) {
        Path tmp = root.resolve("tmp");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(tmp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String fallback = "the agent's report goes through this command's own temporary directory, which that JVM"
                + " sees only if it shares this machine's /tmp (otherwise see its stderr)";
        if (attributes.isSymbolicLink()) {
            String to;
            try {
                to = Log.value(Files.readSymbolicLink(tmp).toString());
            } catch (IOException | RuntimeException e) {
                to = "unreadable";
            }
            say.accept("the /tmp of JVM " + pid + " is a symbolic link (to " + to + "); it is not followed, as it"
                    + " could lead out of that JVM's root into this machine's own directories: " + fallback);
            return null;
        }
        if (!attributes.isDirectory()) {
            say.accept("the /tmp of JVM " + pid + " is not a directory; " + fallback);
            return null;
        }
        return makeReport(tmp, "/tmp", pid, attributes.fileKey());
    }

    /**
     * Whether {@code dir} was made in {@code base}: {@code base} is still the directory whose file key is
     * {@code baseKey} (not a link put in its place since it was checked) and {@code dir}'s own parent, as the system
     * resolves it, is that directory. Without file keys (not a POSIX system), true.
     */
    static boolean madeIn(Path base, Object baseKey, Path dir) {
        if (baseKey == null) {
            return true;
        }
        try {
            BasicFileAttributes now = Files.readAttributes(base, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes parent = Files.readAttributes(dir.resolve(".."), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return now.isDirectory() && baseKey.equals(now.fileKey()) && baseKey.equals(parent.fileKey());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A report in {@code base}, which the target knows as {@code seenAs} (null: the same). With {@code baseKey}
     * (the file key {@code base} had when it was checked), the directory made is checked to be in that very
     * directory ({@link #madeIn}) before anything is made in it or given away, and again before the file is given.
     */
    static Report makeReport(Path base, String seenAs, long pid, Object baseKey) {
        Path dir = null;
        Path file = null;
        try {
            boolean posix = base.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                dir = Files.createTempDirectory(base, "albtrace-attach-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                dir = Files.createTempDirectory(base, "albtrace-attach-");
            }
            if (!madeIn(base, baseKey, dir)) {
                throw new IOException(base + " changed while the report directory was made");
            }
            if (posix) {
                file = Files.createFile(dir.resolve("report"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                file = Files.createFile(dir.resolve("report"));
            }
            String seen = seenAs == null ? file.toString() : seenAs + "/" + dir.getFileName() + "/report";
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Report report = new Report(dir, file, seen, key);
            if (seen.indexOf(',') >= 0) {
                report.delete();
                return null;
            }
            if (!madeIn(base, baseKey, dir)) {
                report.delete();
                return null;
            }
            if (posix && giveTo(file, pid)) {
                // the target's user may enter the directory (not list or change it) and write the file
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            }
            return report;
        } catch (IOException | RuntimeException e) {
            if (dir != null) {
                new Report(dir, file == null ? dir.resolve("report") : file, "", null).delete();
            }
            return null; // no report: the agent's messages are on the target's stderr
        }
    }

    /** Root attaching to another user's JVM: the report file (only) becomes that user's. Whether it did. */
    private static boolean giveTo(Path file, long pid) {
        try {
            String status = new String(Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "status")),
                    StandardCharsets.UTF_8);
            String uids = field(status, "Uid:");
            Object mine = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (uids != null && Integer.valueOf(0).equals(mine)) {
                int uid = Integer.parseInt(uids.split("\\s+")[1]); // the effective uid
                if (uid != 0) {
                    Files.setAttribute(file, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the report may not come back, which is said then
        }
        return false;
    }

    /**
     * The report's lines, or null when there is none to trust: not the regular file this command made (its
     * {@code key}, when known), or not readable. At most {@link #REPORT_LIMIT} bytes are read; each line is escaped
     * and cut ({@link Log#printable}), so nothing the target wrote can drive this terminal.
     */
    static List<String> readReport(Path file, Object key) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() || key != null && !key.equals(attributes.fileKey())) {
                return null;
            }
            ByteBuffer bytes = ByteBuffer.allocate(REPORT_LIMIT);
            try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)) {
                while (bytes.hasRemaining() && channel.read(bytes) > 0) {
                    // fills up to the limit
                }
            }
            String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
            if (text.isEmpty()) {
                return null;
            }
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\r?\n", -1)) {
                lines.add(Log.printable(line));
            }
            if (lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Prints what the agent reported from the target and returns the exit status; {@code report} null when no
     * report came back.
     */
    int reportOutcome(Request request, List<String> report) {
        long pid = request.pid;
        if (report == null || report.isEmpty()) {
            err.println(PREFIX + "attached to JVM " + pid + ", but the agent did not report back: see the"
                    + " application's stderr for whether it started");
            return NO_REPORT;
        }
        String[] first = statusAndText(report.get(0));
        for (String line : report.subList(1, report.size())) {
            if (line.startsWith(AlbtraceAgent.PROBLEM + " ")) {
                err.println(PREFIX + "JVM " + pid + ": " + line.substring(AlbtraceAgent.PROBLEM.length() + 1));
            }
        }
        switch (first[0]) {
            case AlbtraceAgent.STARTED:
            case AlbtraceAgent.DISABLED:
                out.println(PREFIX + "attached to JVM " + pid + " (" + first[1] + ")");
                return OK;
            case AlbtraceAgent.ALREADY:
                return already(request, statusAndText(first[1]));
            case AlbtraceAgent.FAILED:
                err.println(PREFIX + "attached to JVM " + pid + ", but the agent could not start there (it runs"
                        + " on without it): " + first[1]);
                return AGENT_FAILED;
            default:
                err.println(PREFIX + "attached to JVM " + pid + ", but the agent did not report back: see the"
                        + " application's stderr for whether it started (its report was: " + report.get(0) + ")");
                return NO_REPORT;
        }
    }

    /** A later attach: the agent's first start there, {@code first}, is what counts. */
    private int already(Request request, String[] first) {
        long pid = request.pid;
        String unapplied = request.settings.isEmpty() ? "" : ", the settings given are not applied";
        switch (first[0]) {
            case AlbtraceAgent.FAILED:
                err.println(PREFIX + "JVM " + pid + " already had albtrace loaded, but it could not start there (it"
                        + " runs on without it): " + first[1] + "; nothing changed" + unapplied
                        + " (restart the JVM to try again)");
                return AGENT_FAILED;
            case AlbtraceAgent.DISABLED:
                out.println(PREFIX + "JVM " + pid + " already has albtrace, switched off there (" + first[1]
                        + "): nothing changed" + unapplied + " (restart the JVM to switch it on)");
                return OK;
            default:
                out.println(PREFIX + "JVM " + pid + " already runs albtrace: nothing changed" + unapplied);
                return OK;
        }
    }

    private static String[] statusAndText(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? new String[] {line, ""} : new String[] {line.substring(0, space), line.substring(space + 1)};
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

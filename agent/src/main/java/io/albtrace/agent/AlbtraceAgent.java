package io.albtrace.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;
import java.util.jar.JarFile;

/**
 * The agent's entry points: {@code -javaagent} ({@link #premain}), attach ({@link #agentmain}) and
 * {@code java -jar} ({@link #main}). This class and {@link AgentClassLoader} are the only agent classes the
 * application's class loader can see. Everything else is read from the jar by an {@link AgentClassLoader}:
 * the core classes, which it defines in the bootstrap loader, and the installer, the instrumentations and the
 * relocated Byte Buddy, which stay private to the agent.
 */
public final class AlbtraceAgent {

    static final String AGENT_PREFIX = "albtrace/agent/";
    static final String BOOT_PREFIX = "albtrace/boot/";
    private static final String STARTER = "io.albtrace.agent.internal.AgentStarter";
    private static final String CLI = "io.albtrace.agent.internal.Cli";

    /*
     * The attach command's report: it passes agent arguments "report=FILE,key=value,...", FILE an empty file it
     * made, and the agent writes its outcome there: one line "<status> <text>", then "problem <text>" lines.
     * Only agentmain honours it, and only writes an existing, empty, regular file of this process's user.
     * A later attach reports "already <the first start's status line>".
     * These are compile-time constants, so the CLI's classes use them without loading this class.
     */
    /** Leads the agent arguments when the attach command wants a report; the file name ends at the first comma. */
    public static final String REPORT_ARGUMENT = "report=";
    /** Status: the agent started and installed what is enabled. */
    public static final String STARTED = "started";
    /** Status: {@code albtrace.enabled=false}, nothing installed. */
    public static final String DISABLED = "disabled";
    /** Status: the agent was already installed in that JVM; this copy did nothing. */
    public static final String ALREADY = "already";
    /** Status: the agent could not start; the application runs without it. */
    public static final String FAILED = "failed";
    /** A settings problem, after the status line. */
    public static final String PROBLEM = "problem";

    /** The first start's status line ({@link #STARTED}, {@link #DISABLED} or {@link #FAILED} ...), or null. */
    private static String firstOutcome;

    private AlbtraceAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        // report= is the attach command's: here it is an (unknown) setting, said as such
        start(null, arguments, instrumentation, "premain");
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(reportFile(arguments), settings(arguments), instrumentation, "agentmain");
    }

    /** {@code java -jar albtrace-agent.jar ...}: the version, usage and settings. */
    public static void main(String[] args) throws Exception {
        AgentClassLoader loader = new AgentClassLoader(openJar(), location(), AGENT_PREFIX, BOOT_PREFIX);
        int status = (Integer) loader.loadClass(CLI).getMethod("run", String[].class).invoke(null, (Object) args);
        System.exit(status);
    }

    private static synchronized void start(String report, String settings, Instrumentation instrumentation,
            String how) {
        String outcome;
        try {
            if (firstOutcome != null || alreadyInBootstrap()) {
                System.err.println("[albtrace] the agent is already installed in this JVM; this second copy ("
                        + location() + ") is ignored");
                outcome = ALREADY + " " + (firstOutcome != null ? firstOutcome
                        : "the agent is already installed in this JVM; this copy is ignored");
            } else {
                firstOutcome = FAILED + " the agent's start did not finish";
                AgentClassLoader loader = new AgentClassLoader(openJar(), location(), AGENT_PREFIX);
                // through a JDK interface, not Method.invoke: see AgentStarter
                @SuppressWarnings("unchecked")
                Function<Object[], String> starter =
                        (Function<Object[], String>) loader.loadClass(STARTER).getConstructor().newInstance();
                outcome = starter.apply(new Object[] {instrumentation, loader.jar(), BOOT_PREFIX, how, settings});
                int newline = outcome.indexOf('\n');
                firstOutcome = newline < 0 ? outcome : outcome.substring(0, newline);
            }
        } catch (Throwable e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            System.err.println("[albtrace] the agent could not start; the application runs without it: " + cause);
            outcome = FAILED + " " + String.valueOf(cause).replace('\n', ' ');
            if (firstOutcome == null || firstOutcome.startsWith(FAILED + " ")) {
                firstOutcome = outcome;
            }
        }
        if (report != null) {
            try {
                writeReport(Paths.get(report), outcome);
            } catch (Throwable e) {
                // the attach command says it has no report; the messages above are on stderr
            }
        }
    }

    /**
     * Writes the outcome to the attach command's report file: only an existing, empty, regular file (not a
     * symbolic link, not a FIFO or device) owned by this process's user; never creates or truncates one.
     * Returns whether it wrote.
     */
    static boolean writeReport(Path file, String outcome) throws java.io.IOException {
        BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!before.isRegularFile() || before.size() != 0 || !ownedByMe(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (channel.size() != 0 || !after.isRegularFile() || before.fileKey() != null
                    && !before.fileKey().equals(after.fileKey())) {
                return false;
            }
            ByteBuffer bytes = ByteBuffer.wrap((outcome + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            return true;
        }
    }

    private static boolean ownedByMe(Path file) throws java.io.IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return true; // not a POSIX system: the attach command's own file in its own directory
        }
        Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object me = processUid();
        return me != null && me.equals(owner);
    }

    /** This process's effective uid: the owner of /proc/self, else of a file it creates. */
    private static Object processUid() {
        try {
            return Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        } catch (Exception e) {
            // not Linux: below
        }
        Path probe = null;
        try {
            probe = Files.createTempFile("albtrace-uid-", ".tmp");
            return Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (Exception e) {
            return null;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (Exception e) {
                    // a leftover empty file
                }
            }
        }
    }

    /** The report file named by the agent arguments, or null. */
    static String reportFile(String arguments) {
        if (arguments == null || !arguments.startsWith(REPORT_ARGUMENT)) {
            return null;
        }
        int comma = arguments.indexOf(',');
        String file = arguments.substring(REPORT_ARGUMENT.length(), comma < 0 ? arguments.length() : comma);
        return file.isEmpty() ? null : file;
    }

    /** The agent arguments without the report file: the settings, {@code key=value,...}, or null. */
    static String settings(String arguments) {
        if (arguments == null || !arguments.startsWith(REPORT_ARGUMENT)) {
            return arguments;
        }
        int comma = arguments.indexOf(',');
        return comma < 0 ? null : arguments.substring(comma + 1);
    }

    private static boolean alreadyInBootstrap() {
        try {
            Class.forName("io.albtrace.core.Outgoing", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static URL location() {
        return AlbtraceAgent.class.getProtectionDomain().getCodeSource().getLocation();
    }

    private static JarFile openJar() throws Exception {
        return new JarFile(new File(location().toURI()), false);
    }
}

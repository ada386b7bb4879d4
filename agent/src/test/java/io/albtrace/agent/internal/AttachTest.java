package io.albtrace.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The attach command's logic that needs no other process: its command line, /proc, the outcomes. */
class AttachTest {

    private static final long SELF = 4242;

    private static Attach.Request parse(String... args) throws Attach.Refusal {
        return Attach.parse(args, SELF);
    }

    @Test
    void aPidAndNoSettings() throws Exception {
        Attach.Request r = parse("attach", "1234");
        assertEquals(1234, r.pid);
        assertEquals("", r.settings);
    }

    @Test
    void settingsInOneArgumentOrSeveralBecomeOneAgentArgument() throws Exception {
        Attach.Request r = parse("attach", "77", "albtrace.debug=true, albtrace.max.header.bytes=5000",
                "albtrace.instrumentation.okhttp.enabled=FALSE", "albtrace.config=/etc/albtrace.properties");
        assertEquals(77, r.pid);
        assertEquals("albtrace.debug=true,albtrace.max.header.bytes=5000,albtrace.instrumentation.okhttp.enabled=FALSE,"
                + "albtrace.config=/etc/albtrace.properties", r.settings);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "abc  | 'abc' is not a process id (a whole number above 0)",
        "0    | '0' is not a process id",
        "-12  | '-12' is not a process id",
        "1.5  | '1.5' is not a process id",
        "\"\"   | '' is not a process id",
        "99999999999999999999 | '99999999999999999999' is not a process id",
        "4242 | 4242 is this command's own JVM; give the id of another one"})
    void aBadPidIsAUsageError(String pid, String message) {
        Attach.Refusal r = assertThrows(Attach.Refusal.class, () -> parse("attach", pid));
        assertEquals(Attach.USAGE, r.status);
        assertTrue(r.getMessage().startsWith(message), r.getMessage());
    }

    @Test
    void whatTheCommandLineGaveIsEscapedAndASettingsValueNotEchoedWhole() {
        Attach.Refusal r = assertThrows(Attach.Refusal.class,
                () -> parse("attach", "1\u001b[2J\u0000" + "9".repeat(5000)));
        assertTrue(r.getMessage().startsWith("'1\\x1b[2J\\x00999"), r.getMessage().substring(0, 40));
        assertTrue(r.getMessage().contains("...(cut from 5006 characters)' is not a process id"), r.getMessage());
        String secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        r = assertThrows(Attach.Refusal.class, () -> parse("attach", "77", "albtrace.debug=" + secret, secret,
                "albtrace.\u00e9=1"));
        assertFalse(r.getMessage().contains(secret.substring(0, 4)), r.getMessage());
        assertTrue(r.getMessage().startsWith("albtrace.debug=ghp...(40 characters, not shown whole) is not true or"
                + " false; 'ghp...(40 characters, not shown whole)' is not key=value; unknown setting"
                + " 'albtrace.\\xe9'; nothing was attached."), r.getMessage());
        Printed p = new Printed();
        assertEquals(Attach.USAGE, p.attach.run(new String[] {"attach", "\u001b]0;x\u0007"}));
        assertEquals("[albtrace] '\\x1b]0;x\\x07' is not a process id (a whole number above 0): "
                + Attach.USAGE_LINE + "\n", p.err());
    }

    @Test
    void noPidIsAUsageError() {
        Attach.Refusal r = assertThrows(Attach.Refusal.class, () -> parse("attach"));
        assertEquals(Attach.USAGE, r.status);
        assertEquals("attach needs the id of a running JVM: " + Attach.USAGE_LINE, r.getMessage());
    }

    @Test
    void everyBadSettingIsNamedAndNothingIsAttached() {
        Attach.Refusal r = assertThrows(Attach.Refusal.class, () -> parse("attach", "77", "albtrace.debug=true",
                "albtrace.nope=1,debug", "albtrace.max.header.bytes=0", "ALBTRACE_DEBUG=true", "albtrace.enabled=on"));
        assertEquals(Attach.USAGE, r.status);
        assertTrue(r.getMessage().startsWith("unknown setting 'albtrace.nope'; 'deb...(5 characters, not shown"
                + " whole)' is not key=value;"
                + " albtrace.max.header.bytes=0 is not a whole number from 1 to 1048576; unknown setting"
                + " 'ALBTRACE_DEBUG'; albtrace.enabled=on is not true or false; nothing was attached. Known settings:"
                + " albtrace.config, albtrace.enabled, "), r.getMessage());
    }

    private static final String STATUS = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1234\n"
            + "NSpid:\t1234\t7\nPid:\t1234\nUid:\t1000\t1000\t1000\t1000\nSigBlk:\t0000000000000000\n"
            + "SigIgn:\t0000000000000000\nSigCgt:\t%s\n";

    @Test
    void procStatus() {
        // a HotSpot JVM: catches SIGQUIT (3) among others
        assertEquals(Boolean.TRUE, Attach.catchesSigquit(String.format(STATUS, "2000000181005ccf")));
        assertEquals(Boolean.TRUE, Attach.catchesSigquit(String.format(STATUS, "0000000000000004")));
        // sleep catches nothing; a shell catches SIGINT and SIGCHLD, not SIGQUIT
        assertEquals(Boolean.FALSE, Attach.catchesSigquit(String.format(STATUS, "0000000000000000")));
        assertEquals(Boolean.FALSE, Attach.catchesSigquit(String.format(STATUS, "0000000000010002")));
        assertEquals(Boolean.FALSE, Attach.catchesSigquit(String.format(STATUS, "fffffffffffffffb")));
        assertNull(Attach.catchesSigquit("Name:\tx\n"));
        assertNull(Attach.catchesSigquit(String.format(STATUS, "zz")));

        assertEquals(7, Attach.namespacePid(String.format(STATUS, "0"), 1234), "the id inside its container");
        assertEquals(1234, Attach.namespacePid("NSpid:\t1234\n", 1234));
        assertEquals(1234, Attach.namespacePid("Name:\tx\n", 1234));

        assertFalse(Attach.isZombie(String.format(STATUS, "0")));
        assertTrue(Attach.isZombie("State:\tZ (zombie)\n"));
        assertFalse(Attach.isZombie("Name:\tx\n"));
    }

    /** As ByteBuddyAgent throws them: the JDK's exception, in an InvocationTargetException, in an IllegalStateException. */
    private static Throwable wrapped(Throwable jdk) {
        return new IllegalStateException("Error during attachment using: ...", new InvocationTargetException(jdk));
    }

    @Test
    void whatTheAttacherThrowsBecomesAStatusAndAMessage() {
        Attach.Refusal r = Attach.refusal(99, wrapped(new AttachNotSupportedException(
                "The VM does not support the attach mechanism")));
        assertEquals(Attach.NOT_ATTACHABLE, r.status);
        assertEquals("JVM 99 cannot be attached to: The VM does not support the attach mechanism (it was started with"
                + " -XX:+DisableAttachMechanism, or is not a HotSpot JVM)", r.getMessage());

        r = Attach.refusal(99, wrapped(new AgentLoadException("Failed to load agent library: Dynamic agent loading is"
                + " not enabled. Use -XX:+EnableDynamicAgentLoading to launch target VM.")));
        assertEquals(Attach.NOT_ATTACHABLE, r.status);
        assertTrue(r.getMessage().startsWith("JVM 99 did not load the agent: Failed to load agent library"), r.getMessage());

        r = Attach.refusal(99, wrapped(new AgentInitializationException("Agent JAR loaded but agent failed to initialize")));
        assertEquals(Attach.AGENT_FAILED, r.status);
        assertEquals("the agent failed to start in JVM 99: Agent JAR loaded but agent failed to initialize", r.getMessage());

        r = Attach.refusal(99, wrapped(new IOException("Permission denied")));
        assertEquals(Attach.NOT_ATTACHABLE, r.status);
        assertEquals("cannot attach to process 99: Permission denied", r.getMessage());

        r = Attach.refusal(99, new IllegalStateException("No compatible attachment provider is available"));
        assertEquals(Attach.NO_ATTACH_MODULE, r.status);

        r = Attach.refusal(99, new IllegalArgumentException("odd"));
        assertEquals(Attach.NOT_ATTACHABLE, r.status);
        assertEquals("cannot attach to process 99: java.lang.IllegalArgumentException: odd", r.getMessage());
    }

    private static final class Printed {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Attach attach = new Attach(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReportFromTheTargetIsSaid() {
        Attach.Request plain = new Attach.Request(99, "");
        Attach.Request withSettings = new Attach.Request(99, "albtrace.debug=true");

        Printed p = new Printed();
        assertEquals(Attach.OK, p.attach.reportOutcome(plain, List.of("started albtrace 1.0 started on Java 21.0.1",
                "problem cannot read the settings file x")));
        assertEquals("[albtrace] attached to JVM 99 (albtrace 1.0 started on Java 21.0.1)\n", p.out());
        assertEquals("[albtrace] JVM 99: cannot read the settings file x\n", p.err());

        p = new Printed();
        assertEquals(Attach.OK, p.attach.reportOutcome(plain, List.of("disabled albtrace.enabled=false: nothing installed")));
        assertEquals("[albtrace] attached to JVM 99 (albtrace.enabled=false: nothing installed)\n", p.out());

        p = new Printed();
        assertEquals(Attach.OK, p.attach.reportOutcome(withSettings, List.of("already the agent is already installed")));
        assertEquals("[albtrace] JVM 99 already runs albtrace: nothing changed, the settings given are not applied\n",
                p.out());
        assertEquals("", p.err());

        p = new Printed();
        assertEquals(Attach.AGENT_FAILED, p.attach.reportOutcome(plain, List.of("failed java.lang.LinkageError: x")));
        assertEquals("", p.out());
        assertEquals("[albtrace] attached to JVM 99, but the agent could not start there (it runs on without it):"
                + " java.lang.LinkageError: x\n", p.err());

        // no report came back: attached, an outcome of its own, and said where to look
        for (List<String> none : java.util.Arrays.asList(null, List.<String>of(), List.of("gibberish"))) {
            p = new Printed();
            assertEquals(Attach.NO_REPORT, p.attach.reportOutcome(plain, none));
            assertEquals("", p.out());
            assertTrue(p.err().startsWith("[albtrace] attached to JVM 99, but the agent did not report back: see the"
                    + " application's stderr"), p.err());
        }
    }

    /** A later attach says what the first start there did: a failure is a failure, switched off is said. */
    @Test
    void aLaterAttachReportsTheFirstOutcome() {
        Attach.Request plain = new Attach.Request(99, "");
        Printed p = new Printed();
        assertEquals(Attach.AGENT_FAILED, p.attach.reportOutcome(plain,
                List.of("already failed java.lang.LinkageError: x")));
        assertEquals("", p.out());
        assertTrue(p.err().startsWith("[albtrace] JVM 99 already had albtrace loaded, but it could not start there"
                + " (it runs on without it): java.lang.LinkageError: x; nothing changed"), p.err());

        p = new Printed();
        assertEquals(Attach.OK, p.attach.reportOutcome(plain,
                List.of("already disabled albtrace.enabled=false: nothing installed")));
        assertEquals("[albtrace] JVM 99 already has albtrace, switched off there (albtrace.enabled=false: nothing"
                + " installed): nothing changed (restart the JVM to switch it on)\n", p.out());

        p = new Printed();
        assertEquals(Attach.OK, p.attach.reportOutcome(plain, List.of("already started albtrace 1.0 started on Java 21")));
        assertEquals("[albtrace] JVM 99 already runs albtrace: nothing changed\n", p.out());
        assertEquals("", p.err());
    }

    @Test
    void theReportIsReadBackOnlyFromTheFileMadeForIt(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = Files.createFile(tmp.resolve("report"));
        Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        assertNull(Attach.readReport(file, key), "empty: no report");

        Files.write(file, "started albtrace 1.0\r\nproblem a\u001b]0;owned\u0007b\u009b2J\u202ec\tz\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("started albtrace 1.0", "problem a\\x1b]0;owned\\x07b\\x9b2J\\u202ec\\x09z"),
                Attach.readReport(file, key), "escaped: nothing the target wrote drives the terminal");

        // oversized: at most 64 KiB is read
        byte[] big = new byte[10 * Attach.REPORT_LIMIT];
        java.util.Arrays.fill(big, (byte) 'x');
        Files.write(file, big);
        List<String> lines = Attach.readReport(file, key);
        assertEquals(List.of("x".repeat(io.albtrace.core.Log.LINE_CHARS) + "...(cut from " + Attach.REPORT_LIMIT
                + " characters)"), lines, "and each line is cut");

        // another file put in its place, a symbolic link (to /dev/zero, to a secret), a FIFO: none is read
        Path secret = Files.write(tmp.resolve("secret"), "started secret\n".getBytes(StandardCharsets.UTF_8));
        assertNull(Attach.readReport(secret, key), "not the file made for the report");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), secret);
        assertNull(Attach.readReport(link, null));
        Path zero = Files.createSymbolicLink(tmp.resolve("zero"), Paths.get("/dev/zero"));
        assertNull(Attach.readReport(zero, null));
        Path fifo = tmp.resolve("fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertNull(Attach.readReport(fifo, null), "a FIFO is not opened, so nothing blocks");
        }
    }

    @Test
    void theReportFileIsPrivate(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Attach.Report r = Attach.makeReport(tmp, "/tmp", ProcessHandle.current().pid(), null);
        try {
            assertEquals(tmp, r.dir.getParent());
            assertEquals("/tmp/" + r.dir.getFileName() + "/report", r.seen);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.dir)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file)));
            assertEquals(0, Files.size(r.file));
        } finally {
            r.delete();
        }
        assertFalse(Files.exists(r.dir));

        // on Linux the report goes in the target's /tmp as it sees it, here this JVM's own
        List<String> said = new java.util.ArrayList<>();
        Attach.Report own = Attach.makeReport(ProcessHandle.current().pid(), said::add);
        assertEquals(List.of(), said);
        try {
            if (Files.isDirectory(Paths.get("/proc/self/root/tmp"))) {
                assertTrue(own.dir.startsWith("/proc/" + ProcessHandle.current().pid() + "/root/tmp"), own.dir.toString());
                assertTrue(own.seen.startsWith("/tmp/albtrace-attach-"), own.seen);
                assertTrue(Files.isRegularFile(Paths.get(own.seen)), own.seen);
            }
        } finally {
            own.delete();
        }
    }

    /**
     * A container's {@code /tmp} that is a symbolic link is never followed: this command (root, attaching from the
     * host) would resolve it itself, an absolute link from this machine's root and a relative one by climbing out of
     * the container's root, and make the report directory, and give a file in it to the container's user, in one of
     * this machine's own directories. A fake root stands for {@code /proc/PID/root}.
     */
    @ParameterizedTest(name = "tmp -> {0}")
    @CsvSource({"absolute", "relative", "inside"})
    void aTmpThatIsASymbolicLinkIsNotFollowed(String link, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.createDirectory(dir.resolve("host-directory"));
        Files.createDirectories(root.resolve("var/tmp"));
        Path target = switch (link) {
            case "absolute" -> outside.toAbsolutePath();
            case "relative" -> Paths.get("../host-directory");
            default -> Paths.get("var/tmp"); // inside the root, but refused all the same: one rule, no resolving
        };
        Files.createSymbolicLink(root.resolve("tmp"), target);
        List<String> said = new java.util.ArrayList<>();
        assertNull(Attach.makeReportInRoot(root, 4321, said::add));
        assertEquals(List.of(), listing(outside), "nothing made outside the root");
        assertEquals(List.of(), listing(root.resolve("var/tmp")), "nor where the link leads inside it");
        assertEquals(List.of("the /tmp of JVM 4321 is a symbolic link (to " + target + "); it is not followed, as it"
                + " could lead out of that JVM's root into this machine's own directories: the agent's report goes"
                + " through this command's own temporary directory, which that JVM sees only if it shares this"
                + " machine's /tmp (otherwise see its stderr)"), said);
    }

    @Test
    void aTmpThatIsADirectoryTakesTheReportAndNoTmpIsSaidNothing(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        List<String> said = new java.util.ArrayList<>();
        assertNull(Attach.makeReportInRoot(root, 4321, said::add), "no /tmp: this command's own");
        assertEquals(List.of(), said);
        Files.writeString(root.resolve("tmp"), "a file");
        assertNull(Attach.makeReportInRoot(root, 4321, said::add));
        assertEquals(List.of("the /tmp of JVM 4321 is not a directory; the agent's report goes through this"
                + " command's own temporary directory, which that JVM sees only if it shares this machine's /tmp"
                + " (otherwise see its stderr)"), said);
        said.clear();
        Files.delete(root.resolve("tmp"));
        Path tmp = Files.createDirectory(root.resolve("tmp"));
        Attach.Report r = Attach.makeReportInRoot(root, ProcessHandle.current().pid(), said::add);
        try {
            assertEquals(tmp, r.dir.getParent());
            assertEquals("/tmp/" + r.dir.getFileName() + "/report", r.seen);
            assertTrue(Files.isRegularFile(r.file, LinkOption.NOFOLLOW_LINKS));
            assertEquals(List.of(), said);
        } finally {
            r.delete();
        }
    }

    /**
     * The report directory counts as made in the target's /tmp only when that /tmp is still the directory checked
     * before (the same file, not a link) and the directory's own parent is that one: a /tmp swapped for a link while
     * the directory was made is caught.
     */
    @Test
    void aDirectoryMadeWhereTheTmpNoLongerIsIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Object key = Files.readAttributes(tmp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        Path made = Files.createDirectory(tmp.resolve("albtrace-attach-1"));
        assertTrue(Attach.madeIn(tmp, key, made));
        Path elsewhere = Files.createDirectory(dir.resolve("host-directory"));
        assertFalse(Attach.madeIn(tmp, key, Files.createDirectory(elsewhere.resolve("albtrace-attach-2"))));
        // the /tmp swapped for a link to another directory, which holds a directory of that name
        Files.move(tmp, dir.resolve("tmp-before"));
        Files.createSymbolicLink(tmp, elsewhere);
        assertFalse(Attach.madeIn(tmp, key, tmp.resolve("albtrace-attach-2")));
        assertFalse(Attach.madeIn(tmp, key, tmp.resolve("albtrace-attach-1")), "gone");
    }

    private static List<String> listing(Path directory) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}

package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hop log's writer and its {@code in} line (SPEC 8), in one JVM; the real servers' lines are in the contract. */
class HopLogTest {

    static final String ROOT = "1-67891233-abcdef012345678912345678";
    static final String SELF = "1-63441c4a-12456789abcdef012345678";
    static final String FULL = "Self=" + SELF + ";Root=" + ROOT + ";K=v";

    @TempDir
    Path dir;
    private Config previous;

    @AfterEach
    void restore() {
        if (previous != null) {
            Config.install(previous);
        }
        assertNull(Context.current());
    }

    private Path configure(String... more) {
        Path file = dir.resolve("hop.log");
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, file.toString());
        p.setProperty(Config.SERVICE_NAME, "front");
        for (int i = 0; i < more.length; i += 2) {
            p.setProperty(more[i], more[i + 1]);
        }
        Config next = Config.load(p, Map.of());
        assertEquals(List.of(), next.problems());
        Config was = Config.install(next);
        if (previous == null) {
            previous = was;
        }
        return file;
    }

    /** The line with its time stamp and duration replaced by {@code TS} and {@code MS}, once checked. */
    static String normal(String line) {
        String ts = "\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"";
        assertTrue(line.matches("\\{" + ts + ",.*,\"ms\":\\d+\\.\\d{3}(,.*)?}"), line);
        return line.replaceFirst(ts, "\"ts\":TS").replaceFirst("\"ms\":\\d+\\.\\d{3}", "\"ms\":MS");
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.US_ASCII);
    }

    private static void serve(String incoming, String method, String host, int port, String path, int status) {
        ServerEntry entry = ServerEntry.enter(incoming, null, null, true);
        entry.request(method, host, port, path);
        entry.close();
        entry.finish(status);
        entry.finish(599); // a second finish does nothing
    }

    @Test
    void oneInLinePerRequestWithExactlyTheSpecsKeys() throws Exception {
        Path file = configure();
        serve(FULL, "GET", "127.0.0.1:8080", 0, "/front", 200);
        serve("Root=" + ROOT, "POST", "orders", 8443, "/orders/42", 201);
        serve(null, "GET", null, 9000, "/", -1);
        assertTrue(HopLog.awaitWritten(20_000));
        List<String> lines = lines(file);
        assertEquals(3, lines.size(), lines::toString);
        assertEquals("{\"ts\":TS,\"dir\":\"in\",\"svc\":\"front\",\"root\":\"" + ROOT + "\",\"self\":\"" + SELF
                + "\",\"method\":\"GET\",\"host\":\"127.0.0.1:8080\",\"path\":\"/front\",\"status\":200,\"ms\":MS,"
                + "\"trace\":\"" + FULL + "\"}", normal(lines.get(0)));
        assertEquals("{\"ts\":TS,\"dir\":\"in\",\"svc\":\"front\",\"root\":\"" + ROOT + "\",\"method\":\"POST\","
                + "\"host\":\"orders:8443\",\"path\":\"/orders/42\",\"status\":201,\"ms\":MS,\"trace\":\"Root=" + ROOT
                + "\"}", normal(lines.get(1)));
        String third = normal(lines.get(2));
        assertTrue(third.matches("\\{\"ts\":TS,\"dir\":\"in\",\"svc\":\"front\",\"root\":\"1-[0-9a-f]{8}-[0-9a-f]{24}\","
                + "\"method\":\"GET\",\"host\":\":9000\",\"path\":\"/\",\"ms\":MS}"), third);
    }

    @Test
    void offNoLineAndAPlainEntry() {
        Properties p = new Properties();
        previous = Config.install(Config.load(p, Map.of()));
        assertFalse(HopLog.on());
        try (ServerEntry entry = ServerEntry.enter(FULL, null, null, true)) {
            assertFalse(entry.logsHop());
            assertEquals(ServerEntry.class, entry.getClass());
        }
    }

    @Test
    void aLaterPassOfTheSameRequestMakesNoLine() {
        configure();
        try (ServerEntry entry = ServerEntry.enter(FULL, null, null, false)) {
            assertFalse(entry.logsHop());
        }
    }

    @Test
    void hostileValuesAreEscapedForJsonAndCut() {
        StringBuilder out = new StringBuilder();
        HopLog.field(out, "path", "/a\"b\\c\u001b[2J\u0000\u007f\u00e9\u2028");
        assertEquals(",\"path\":\"/a\\\"b\\\\c\\u001b[2J\\u0000\\u007f\\u00e9\\u2028\"", out.toString());
        out.setLength(0);
        HopLog.field(out, "trace", "x".repeat(200_000));
        assertEquals(",\"trace\":\"" + "x".repeat(512) + "...(cut from 200000 characters)\"", out.toString());
        out.setLength(0);
        // an escape is never split: 510 plain characters leave no room for a 6-character escape
        HopLog.field(out, "trace", "y".repeat(510) + "\u001b" + "z");
        assertEquals(",\"trace\":\"" + "y".repeat(510) + "...(cut from 512 characters)\"", out.toString());
        out.setLength(0);
        HopLog.field(out, "self", null);
        assertEquals("", out.toString());
    }

    @Test
    void aHostileRequestMakesOneLineOfVisibleAscii() throws Exception {
        Path file = configure();
        String hostile = "Root=" + ROOT + ";Evil=\u001b]0;owned\u0007\r\n{\"dir\":\"out\"}" + "\u00ff".repeat(100_000);
        serve(hostile, "G\"ET", "h\nost", 1, "/p\u0000\"\\" + "q".repeat(100_000), 200);
        assertTrue(HopLog.awaitWritten(20_000));
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            assertTrue(b == '\n' || b >= 0x20 && b <= 0x7e, "byte " + b);
        }
        List<String> lines = lines(file);
        assertEquals(1, lines.size());
        String line = normal(lines.get(0));
        assertTrue(line.startsWith("{\"ts\":TS,\"dir\":\"in\",\"svc\":\"front\",\"root\":\"" + ROOT
                + "\",\"method\":\"G\\\"ET\",\"host\":\"h\\u000aost:1\",\"path\":\"/p\\u0000\\\"\\\\qqq"), line);
        assertTrue(line.contains("...(cut from 100005 characters)\",\"status\":200,\"ms\":MS,\"trace\":\"Root=" + ROOT
                + ";Evil=\\u001b]0;owned\\u0007\\u000d\\u000a{\\\"dir\\\":\\\"out\\\"}\\u00ff"), line);
        assertTrue(line.endsWith("...(cut from " + hostile.length() + " characters)\"}"), line);
        assertTrue(line.length() < 1400, "two values of 512 and the rest: " + line.length());
    }

    @Test
    void timestampsAreIso8601UtcWithMilliseconds() {
        StringBuilder out = new StringBuilder();
        HopLog.timestamp(out, 0);
        assertEquals("\"ts\":\"1970-01-01T00:00:00.000Z\"", out.toString());
        for (long t : new long[] {951_782_400_123L, 1_796_665_346_007L, 4_102_444_799_999L, 1_234L, 86_399_999L}) {
            out.setLength(0);
            HopLog.timestamp(out, t);
            String expected = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                    .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(t));
            assertEquals("\"ts\":\"" + expected + "\"", out.toString());
        }
        out.setLength(0);
        HopLog.millis(out, 1_234_567);
        assertEquals(",\"ms\":1.234", out.toString());
        out.setLength(0);
        HopLog.millis(out, 12_000_000_999L);
        assertEquals(",\"ms\":12000.000", out.toString());
    }

    @Test
    void theServiceNameByDefaultIsTheJarsOrTheMainClasssSimpleName() {
        assertEquals("orders-1.2", HopLog.defaultServiceName("/app/orders-1.2.jar --server.port=8080"));
        assertEquals("OrdersApplication", HopLog.defaultServiceName("com.example.OrdersApplication arg"));
        assertEquals("Main", HopLog.defaultServiceName("Main"));
        assertEquals("App", HopLog.defaultServiceName("my.module/com.example.App"));
        assertEquals("java", HopLog.defaultServiceName(null));
        assertEquals("java", HopLog.defaultServiceName(""));
        Properties p = new Properties();
        previous = Config.install(Config.load(p, Map.of()));
        assertEquals(HopLog.defaultServiceName(System.getProperty("sun.java.command")),
                HopLog.serviceName(Config.current()));
    }

    /** A line that says its number. */
    static final class Numbered implements HopLog.Line {
        final int n;
        final int pad;

        Numbered(int n, int pad) {
            this.n = n;
            this.pad = pad;
        }

        @Override
        public void appendTo(StringBuilder out, String svc) {
            out.append("{\"n\":").append(n).append(",\"svc\":\"").append(svc).append("\",\"pad\":\"")
                    .append("p".repeat(pad)).append("\"}");
        }
    }

    @Test
    void aFullQueueDropsAndCountsNeverWaitsAndTheLossIsSaidAtOnceThenAtMostOnceAMinute() throws Exception {
        Path file = configure();
        HopLog.Writer writer = new HopLog.Writer(4, false); // no thread: nothing empties the queue
        for (int i = 0; i < 10; i++) {
            writer.offer(new Numbered(i, 0));
        }
        assertEquals(6, writer.dropped.get());
        String said = StdErr.capture(() -> writer.sayLosses(false));
        assertEquals(List.of("[albtrace] hop log: 6 lines dropped (the queue of 4 lines was full: the writer could not"
                + " keep up); 6 in all"), StdErr.lines(said));
        List<HopLog.Line> batch = new ArrayList<>();
        writer.drainForTest(batch);
        writer.write(batch);
        assertEquals(List.of(0, 1, 2, 3), numbers(lines(file)));
        for (int i = 10; i < 16; i++) {
            writer.offer(new Numbered(i, 0));
        }
        assertEquals(8, writer.dropped.get());
        assertEquals("", StdErr.capture(() -> writer.sayLosses(false)), "not again within the minute");
        said = StdErr.capture(writer::shutdown);
        assertEquals(List.of(0, 1, 2, 3, 10, 11, 12, 13), numbers(lines(file)), "the queue written at shutdown");
        assertEquals(List.of("[albtrace] hop log: 2 lines dropped since the last report (the queue of 4 lines was"
                + " full: the writer could not keep up); 8 in all (at shutdown)"), StdErr.lines(said));
        said = StdErr.capture(() -> writer.offer(new Numbered(99, 0)));
        assertEquals(List.of("[albtrace] hop log: a request ended after the JVM began to shut down and the hop log"
                + " was closed: its line, and those of any later one, are not written"), StdErr.lines(said));
    }

    static List<Integer> numbers(List<String> lines) {
        List<Integer> n = new ArrayList<>();
        for (String line : lines) {
            assertTrue(line.startsWith("{\"n\":") && line.endsWith("\"}"), line);
            n.add(Integer.parseInt(line.substring(5, line.indexOf(','))));
        }
        return n;
    }

    @Test
    void aFileIsAppendedToAndRotatedBySizeKeepingN() throws Exception {
        Path file = configure(Config.HOPLOG_MAX_BYTES, "1024", Config.HOPLOG_MAX_FILES, "2");
        Files.write(file, "{\"n\":-1,\"svc\":\"before\",\"pad\":\"\"}\n".getBytes(StandardCharsets.US_ASCII));
        HopLog.Writer writer = new HopLog.Writer(1000, false);
        List<HopLog.Line> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(new Numbered(i, 70)); // 100 bytes a line with its end
        }
        writer.write(batch.subList(0, 5));
        assertEquals(List.of(-1, 0, 1, 2, 3, 4), numbers(lines(file)), "appended to");
        writer.write(batch.subList(5, 100));
        writer.shutdown();
        // 33 bytes before, then lines of 100 bytes (0 to 9) and 101 (10 to 99): ten lines a file of 1,024 at most
        assertEquals(List.of(99), numbers(lines(file)));
        assertEquals(List.of(89, 90, 91, 92, 93, 94, 95, 96, 97, 98), numbers(lines(dir.resolve("hop.log.1"))));
        assertEquals(List.of(79, 80, 81, 82, 83, 84, 85, 86, 87, 88), numbers(lines(dir.resolve("hop.log.2"))));
        assertFalse(Files.exists(dir.resolve("hop.log.3")));
        for (String name : new String[] {"hop.log", "hop.log.1", "hop.log.2"}) {
            assertTrue(Files.size(dir.resolve(name)) <= 1024, name);
        }
    }

    @Test
    void aFileThatCannotBeOpenedIsSaidAndItsLinesCountedAsLost() throws Exception {
        Path sub = dir.resolve("a-directory");
        Files.createDirectory(sub);
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, sub.toString());
        previous = Config.install(Config.load(p, Map.of()));
        HopLog.Writer writer = new HopLog.Writer(10, false);
        String said = StdErr.capture(() -> {
            writer.write(List.of(new Numbered(1, 0), new Numbered(2, 0)));
            writer.write(List.of(new Numbered(3, 0))); // not tried again within the minute: said once
            writer.sayLosses(false);
        });
        assertEquals(List.of("[albtrace] hop log: cannot open " + sub + " to append to (java.io.IOException: it is a"
                        + " directory); its lines are counted as lost; tried again in a minute",
                "[albtrace] hop log: 3 lines not written (the destination failed); 3 in all"), StdErr.lines(said));
    }

    /** A JVM killed while it writes (SIGKILL: no shutdown hook) leaves whole lines, but perhaps the last. */
    @Test
    void aKilledJvmLeavesNoTornLineButTheLast() throws Exception {
        Path file = dir.resolve("killed.log");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path"),
                HopLogKilledJvm.class.getName(), file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.out").toFile()).start();
        try {
            for (int i = 0; i < 6000 && (!Files.exists(file) || Files.size(file) < 2_000_000); i++) {
                Thread.sleep(10); // waits for a condition, with a bound far above what it takes
            }
            assertTrue(Files.size(file) >= 2_000_000, "the JVM wrote: " + Files.readString(dir.resolve("killed.out")));
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor();
        }
        List<String> lines = lines(file);
        assertTrue(lines.size() > 1000, "lines: " + lines.size());
        // the queue drops what the writer cannot keep up with: the numbers rise, with gaps
        java.util.regex.Pattern whole = java.util.regex.Pattern.compile("\\{\"ts\":\"[-0-9T:.]{23}Z\",\"dir\":\"in\","
                + "\"svc\":\"killed\",\"root\":\"" + ROOT + "\",\"method\":\"GET\",\"host\":\"h:80\",\"path\":\"/p{300}/"
                + "(\\d+)\",\"status\":200,\"ms\":\\d+\\.\\d{3},\"trace\":\"Root=" + ROOT + "\"}");
        long previous = -1;
        for (int i = 0; i < lines.size(); i++) {
            java.util.regex.Matcher m = whole.matcher(lines.get(i));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                assertTrue(n > previous, "line " + i + " is request " + n + ", after " + previous);
                previous = n;
            } else {
                assertEquals(lines.size() - 1, i, "only the last line may be cut short by the kill: " + lines.get(i));
                assertTrue(lines.get(i).length() < 600, lines.get(i));
            }
        }
    }

    @Test
    void stdoutAndStderrGetWholeLines() throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, "STDERR");
        p.setProperty(Config.SERVICE_NAME, "svc a");
        previous = Config.install(Config.load(p, Map.of()));
        assertEquals("stderr", Config.current().hoplog());
        HopLog.Writer writer = new HopLog.Writer(10, false);
        String said = StdErr.capture(() -> writer.write(List.of(new Numbered(1, 0), new Numbered(2, 1))));
        assertEquals("{\"n\":1,\"svc\":\"svc a\",\"pad\":\"\"}\n{\"n\":2,\"svc\":\"svc a\",\"pad\":\"p\"}\n", said);
    }
}

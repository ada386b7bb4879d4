package io.albtrace.agent.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tree}: hop logs of several services and a balancer's access log read back into the call tree of a Root. */
class TreeCommandTest {

    static final String R = "1-67891233-abcdef012345678912345678";
    static final String R2 = "1-6789aaaa-000000000000000000000002";
    static final String S1 = "1-6789bbbb-000000000000000000000001";
    static final String S2 = "1-6789bbbb-000000000000000000000002";
    static final String S3 = "1-6789bbbb-000000000000000000000003";
    static final String S9 = "1-6789bbbb-000000000000000000000009";

    @TempDir
    Path dir;

    /** An entry in the ALB access log's documented format: trace_id the 18th field, request_creation_time the 22nd. */
    static String alb(String end, String created, String url, int status, String traceId) {
        return "http 2026-12-07T10:00:" + end + "Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:8080"
                + " 0.001 0.047 0.000 " + status + " " + status + " 34 366 \"GET " + url + " HTTP/1.1\" \"curl/8.5.0\""
                + " - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/front/73e2d6bc24d8a067"
                + " \"" + traceId + "\" \"-\" \"-\" 0 2026-12-07T10:00:" + created + "Z \"forward\" \"-\" \"-\""
                + " \"10.0.0.1:8080\" \"" + status + "\" \"-\" \"-\" TID_1234abcd";
    }

    static String in(String ts, String svc, String root, String self, String hostPort, String path, double ms) {
        return "{\"ts\":\"2026-12-07T10:00:" + ts + "Z\",\"dir\":\"in\",\"svc\":\"" + svc + "\",\"root\":\"" + root
                + "\"" + (self == null ? "" : ",\"self\":\"" + self + "\"") + ",\"method\":\"GET\",\"host\":\""
                + hostPort + "\",\"path\":\"" + path + "\",\"status\":200,\"ms\":" + ms + ",\"trace\":\""
                + (self == null ? "" : "Self=" + self + ";") + "Root=" + root + "\"}";
    }

    static String out(String ts, String svc, String root, String self, String parent, String hostPort, String path,
            double ms) {
        return "{\"ts\":\"2026-12-07T10:00:" + ts + "Z\",\"dir\":\"out\",\"svc\":\"" + svc + "\",\"root\":\"" + root
                + "\",\"self\":\"" + self + "\",\"parent\":\"" + parent + "\",\"method\":\"GET\",\"host\":\""
                + hostPort + "\",\"path\":\"" + path + "\",\"status\":200,\"ms\":" + ms + ",\"trace\":\"Self="
                + self + ";Root=" + root + "\"}";
    }

    Path file(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        return f;
    }

    Path gz(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        return f;
    }

    /** Runs tree; returns {exit status, stdout, stderr}. */
    static String[] tree(Object... args) {
        List<String> all = new ArrayList<>();
        all.add("tree");
        for (Object a : args) {
            all.add(a.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new TreeCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(all.toArray(new String[0]));
        return new String[] {String.valueOf(status), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    Path front() throws IOException {
        return file("front.log",
                in("00.003", "front", R, null, "10.0.0.1:8080", "/front", 45.0),
                out("00.005", "front", R, S1, "", "back:8081", "/back", 20.0),
                "{\"ts\":\"2026-12-07T10:00:00.050Z\",\"dir\":\"in\",\"svc\":\"fro", // the last line, torn by a kill
                out("00.030", "front", R, S2, "", "audit:9000", "/audit", 3.0),
                in("01.000", "front", R2, null, "10.0.0.1:8080", "/front", 2.0));
    }

    Path back() throws IOException {
        return file("back.log",
                in("00.006", "back", R, S1, "back:8081", "/back", 18.0),
                "hello, not a hop line",
                out("00.008", "back", R, S3, S1, "store:8082", "/items", 5.0));
    }

    Path store() throws IOException {
        return gz("store.log.gz",
                in("00.009", "store", R, S3, "store:8082", "/items", 4.0),
                "{\"ts\":\"2026-12-07T10:00:00.020Z\",\"dir\":\"sideways\",\"root\":\"" + R + "\"}",
                in("00.040", "store", R, S9, "store:8082", "/orphan", 1.0));
    }

    static final String TREE_R = "Root=" + R + "  8 lines, services: back, balancer, front, store, 48.000 ms from"
            + " the first start to the last end, from 2026-12-07T10:00:00.002Z\n"
            + "+0.000 ms  balancer alb  GET api.example.com:80/front  200  48.000 ms\n"
            + "  +1.000 ms  front in  GET 10.0.0.1:8080/front  200  45.000 ms\n"
            + "    +3.000 ms  front out  GET back:8081/back  200  20.000 ms  Self=" + S1 + "\n"
            + "      +4.000 ms  back in  GET back:8081/back  200  18.000 ms  Self=" + S1 + "\n"
            + "        +6.000 ms  back out  GET store:8082/items  200  5.000 ms  Self=" + S3 + "\n"
            + "          +7.000 ms  store in  GET store:8082/items  200  4.000 ms  Self=" + S3 + "\n"
            + "    +28.000 ms  front out  GET audit:9000/audit  200  3.000 ms  Self=" + S2
            + "  ! no receiving line: the callee is not instrumented or its hop log is missing\n"
            + "+38.000 ms  store in  GET store:8082/orphan  200  1.000 ms  Self=" + S9
            + "  ! no caller sent this Self (its log is missing, or the caller is not instrumented)\n";

    @Test
    void theTreeOfOneRootFromTheBalancerDownWhereTheEndsDisagreeSaid() throws Exception {
        Path alb = gz("alb.log.gz",
                alb("00.050000", "00.002000", "http://api.example.com:80/front?id=1", 200, "Root=" + R),
                alb("01.050000", "01.000000", "http://api.example.com:80/other", 200, "Root=1-11111111-aaaaaaaaaaaaaaaaaaaaaaaa"));
        String[] r = tree("--root", R, "--alb", alb, front(), back(), store());
        assertEquals(TREE_R, r[1]);
        // with --root, only lines holding the Root are parsed: the torn and the foreign line are not even looked at
        assertEquals("[albtrace] tree: 1 line skipped, neither a hop log line nor an access-log entry with a Root"
                + " (damaged, cut or another program's): store.log.gz:2\n", r[2]);
        assertEquals("0", r[0]);
    }

    @Test
    void withoutRootEveryRootOfTheHopLogsInTheOrderOfTheirFirstLine() throws Exception {
        Path alb = file("alb.log",
                alb("00.050000", "00.002000", "http://api.example.com:80/front?id=1", 200, "Root=" + R),
                alb("09.000000", "08.000000", "http://api.example.com:80/x", 200, "Root=1-11111111-aaaaaaaaaaaaaaaaaaaaaaaa"),
                "h2 garbage");
        String[] r = tree("--alb", alb, front(), back(), store());
        assertEquals(TREE_R + "\nRoot=" + R2 + "  1 line, services: front, 2.000 ms from the first start to the"
                + " last end, from 2026-12-07T10:00:01Z\n"
                + "+0.000 ms  front in  GET 10.0.0.1:8080/front  200  2.000 ms\n", r[1]);
        assertEquals("[albtrace] tree: 4 lines skipped, neither a hop log line nor an access-log entry with a Root"
                + " (damaged, cut or another program's): alb.log:3, front.log:3, back.log:2, store.log.gz:2\n", r[2]);
        assertEquals("0", r[0]);
    }

    @Test
    void json() throws Exception {
        String[] r = tree("--json", "--root", R2, front());
        assertEquals("{\"roots\":[{\"root\":\"" + R2 + "\",\"start\":\"2026-12-07T10:00:01Z\",\"ms\":2.000,"
                + "\"lines\":1,\"left_out\":0,\"tree\":[{\"dir\":\"in\",\"offset_ms\":0.000,\"svc\":\"front\","
                + "\"method\":\"GET\",\"host\":\"10.0.0.1:8080\",\"path\":\"/front\",\"status\":200,\"ms\":2.000,"
                + "\"trace\":\"Root=" + R2 + "\",\"at\":\"front.log:5\",\"children\":[]}]}],\"skipped\":0}\n", r[1]);
        assertEquals("", r[2], "with --root, lines of other Roots are not even read: none counted as damaged");
    }

    @Test
    void svgAWaterfallRowPerHop() throws Exception {
        Path svg = dir.resolve("tree.svg");
        String[] r = tree("--root", R, "--svg", svg, front(), back(), store());
        assertEquals("0", r[0]);
        String drawn = Files.readString(svg);
        assertTrue(drawn.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), drawn);
        assertEquals(7, drawn.split("<rect x=").length - 1, drawn);
        assertEquals(2, drawn.split("class=\"(in|out) problem\"").length - 1, drawn);
        assertTrue(drawn.contains("<text x=\"8\" y=\"46\">front in GET /front 200</text>"), drawn);
    }

    @Test
    void hostileValuesAreEscapedInEveryOutput() throws Exception {
        Path log = file("evil.log", "{\"ts\":\"2026-12-07T10:00:00.003Z\",\"dir\":\"in\",\"svc\":\"<b>\\u001b[2J\","
                + "\"root\":\"" + R + "\",\"method\":\"GET\",\"path\":\"/\\\"&\\u0000\",\"ms\":1.5}");
        Path svg = dir.resolve("evil.svg");
        String[] r = tree("--root", R, "--svg", svg, log);
        assertTrue(r[1].contains("+0.000 ms  <b>\\x1b[2J in  GET /\"&\\x00  -  1.500 ms\n"), r[1]);
        String drawn = Files.readString(svg);
        assertTrue(drawn.contains("&lt;b&gt;\\x1b[2J in GET /&quot;&amp;\\x00 -"), drawn);
        for (char c : (r[1] + drawn).toCharArray()) {
            assertTrue(c == '\n' || c >= 0x20 && c <= 0x7e, "char " + (int) c);
        }
    }

    @Test
    void badCommandLinesAndMissingFilesAreSaid() throws Exception {
        String[] r = tree("--root");
        assertEquals("2", r[0]);
        assertEquals("[albtrace] tree: --root needs a value\nusage: " + TreeCommand.USAGE_LINE + "\n", r[2]);
        r = tree("--nope", front());
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("[albtrace] tree: unknown option --nope\n"), r[2]);
        r = tree();
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("[albtrace] tree: no hop log given\n"), r[2]);
        Path missing = dir.resolve("missing.log");
        r = tree("--root", R2, missing, front());
        assertEquals("1", r[0], "a file that cannot be read");
        assertTrue(r[1].startsWith("Root=" + R2 + "  1 line"), r[1]);
        assertTrue(r[2].startsWith("[albtrace] tree: cannot read " + missing + " (java.nio.file.NoSuchFileException: "),
                r[2]);
        r = tree("--root", "1-00000000-000000000000000000000000", front());
        assertEquals("1", r[0]);
        assertEquals("", r[1]);
        assertEquals("[albtrace] tree: no line of Root 1-00000000-000000000000000000000000 found\n", r[2]);
    }

    @Test
    void damagedFilesNeverMakeItFail() throws Exception {
        byte[] noise = new byte[200_000];
        new java.util.Random(7).nextBytes(noise);
        Path bin = dir.resolve("noise.log");
        Files.write(bin, noise);
        Path badGz = file("bad.log.gz", "not gzip at all");
        String[] r = tree("--alb", bin, "--alb", badGz, bin, badGz, front());
        assertEquals("1", r[0], "bad.log.gz cannot be read: said, the rest used");
        assertTrue(r[1].contains("Root=" + R2), r[1]);
        assertTrue(r[2].contains("cannot read " + badGz + " (java.util.zip.ZipException: Not in GZIP format)"), r[2]);
        assertTrue(r[2].contains(" lines skipped"), r[2]);
    }
}

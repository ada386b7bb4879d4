package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the agent prints (the end of SPEC 6), from the outside: a front service with {@code albtrace.debug=true} and
 * the agent jar receives hostile requests (terminal escape sequences, NUL, bytes over 0x7E and a 200 KB value in
 * the trace header); its whole stderr is measured byte for byte.
 */
class PrintedIT {

    /** The one Log.VALUE_CHARS allows a request value in a line (core's constant, not on this class path). */
    static final int VALUE_CHARS = 512;
    static final int REQUESTS = 13;
    static final String HOSTILE = "Root=" + Trace.ROOT + ";Esc=\u001b[31mred\u001b[0m\u001b]0;title\u0007;Nul=a\u0000b"
            + ";High=caf\u00e9\u00ff\u0080;Big=" + "x".repeat(200 * 1024);

    @Test
    void debugLinesOfHostileRequestsAreEscapedAndBounded() throws Exception {
        try (Jvm.Service back = Jvm.java().named("printed-back").service(Jvm.backClassPath(),
                "io.albtrace.smoke.apps.BackApp", "0");
                Jvm.Service front = Jvm.java().named("printed-front").jvmArgs("-Dalbtrace.debug=true", Jvm.javaagent())
                        .service(Jvm.frontClassPath("default"), "io.albtrace.smoke.apps.FrontApp", "0",
                                back.uri().toString())) {
            // a first, ordinary request: the clients' classes are loaded and woven (their debug lines) before
            Chain.Report first = Chain.request(front.uri(), Chain.FULL);
            int calls = first.calls().size();
            assertTrue(calls >= 8, first.raw());
            int before = front.errBytes().length;
            for (int i = 0; i < REQUESTS; i++) {
                String report = rawRequest(front.port(), HOSTILE);
                // the bounded context (SPEC 4.5): the MDC and every call have the Root alone
                assertTrue(report.contains("\nmdc\tRoot=" + Trace.ROOT + "\t" + Trace.ROOT + "\n"), report.substring(
                        report.indexOf("\nmdc")));
                assertEquals(calls, report.split("\tok\tSelf=1-[0-9a-f]{8}-[0-9a-f]{24};Root=" + Trace.ROOT + "\n",
                        -1).length - 1, report.substring(report.indexOf("\nmdc")));
            }
            byte[] all = front.errBytes();
            byte[] printed = Arrays.copyOfRange(all, before, all.length);
            for (int i = 0; i < printed.length; i++) {
                int b = printed[i] & 0xFF;
                int at = i;
                assertTrue(b >= 0x20 && b <= 0x7E || b == '\n', () -> "byte " + b + " at " + at + " of what the"
                        + " hostile requests printed" + front.dump().substring(0, 2000));
            }
            List<String> lines = new String(printed, StandardCharsets.US_ASCII).lines().collect(Collectors.toList());
            List<String> entries = lines.stream().filter(l -> l.startsWith("[albtrace] debug: server entry ["))
                    .collect(Collectors.toList());
            assertEquals(REQUESTS, entries.size(), String.join("\n", lines));
            String incoming = "Root=" + Trace.ROOT + ";Esc=\\x1b[31mred\\x1b[0m\\x1b]0;title\\x07;Nul=a\\x00b"
                    + ";High=caf\\xe9\\xff\\x80;Big=";
            String entry = "[albtrace] debug: server entry [" + incoming
                    + "x".repeat(VALUE_CHARS - incoming.length()) + "...(cut from " + HOSTILE.length()
                    + " characters)] -> context [Root=" + Trace.ROOT + "]";
            assertEquals(List.of(entry), entries.stream().distinct().collect(Collectors.toList()));
            String forward = "\\[albtrace\\] debug: forward context \\[Root=" + Trace.ROOT + "\\] -> \\[Self="
                    + Trace.NEW + ";Root=" + Trace.ROOT + "\\]";
            List<String> forwards = lines.stream().filter(l -> l.matches(forward)).collect(Collectors.toList());
            assertEquals(REQUESTS * calls, forwards.size(), String.join("\n", lines));
            assertEquals(REQUESTS * (1 + calls), lines.size(), "nothing else" + String.join("\n", lines));
            // so the whole: per request its entry line, and one line per call with the Root and two identifiers
            long expected = REQUESTS * (entry.length() + 1 + calls * (forwards.get(0).length() + 1L));
            System.out.println("PrintedIT: " + REQUESTS + " requests with a " + HOSTILE.length() + "-character trace"
                    + " header and albtrace.debug=true printed " + printed.length + " bytes on stderr in "
                    + lines.size() + " lines (" + calls + " calls each), the longest " + entry.length()
                    + " characters");
            assertEquals(expected, printed.length);
        }
    }

    /**
     * A secret pasted as a setting's value (here an access key with a terminal escape in it) is not printed: the
     * problem names the key, what was expected, the value's length and its first three characters.
     */
    @Test
    void aSettingsValueIsNotEchoedWhole() {
        String secret = "AKIAZZZZZZZZZZZZZZZZ/wJalrXUtnFEMI\u001b[2J";
        Jvm.Result r = Jvm.java().named("printed-secret").env("ALBTRACE_DEBUG", secret)
                .jvmArgs("-Dalbtrace.max.header.bytes=" + secret, Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        String shown = "AKI...(" + secret.length() + " characters, not shown whole)";
        assertEquals(List.of("[albtrace] albtrace.max.header.bytes=" + shown + " is not a whole number from 1 to"
                + " 1048576; using 7168", "[albtrace] albtrace.debug=" + shown + " is not true or false; using false"),
                r.agentLines().stream().sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList()),
                r.dump());
        assertTrue(!r.err().contains("AKIA") && !r.out().contains("AKIA") && r.err().indexOf('\u001b') < 0, r.dump());
    }

    /**
     * GET {@code /chain} from a plain socket with {@code traceHeader} as ISO-8859-1 bytes, as a client that talks to
     * the service directly may send it; returns the response body (the front's report).
     */
    static String rawRequest(int port, String traceHeader) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /chain HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n" + Trace.NAME
                    + ": " + traceHeader + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200 "), response.substring(0, Math.min(200, response.length())));
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }
}

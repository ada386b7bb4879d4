package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogTest {

    private Config previous;

    static Config config(boolean debug) {
        Properties p = new Properties();
        p.setProperty(Config.DEBUG, String.valueOf(debug));
        return Config.load(p, Map.of());
    }

    @BeforeEach
    void quietConfig() {
        previous = Config.install(config(false));
    }

    @AfterEach
    void restoreConfig() {
        Config.install(previous);
    }

    static String unique(String base) {
        return base + "-" + UUID.randomUUID();
    }

    @Test
    void warnIsOnePrefixedLine() throws Exception {
        String err = StdErr.capture(() -> Log.warn("hello there"));
        assertEquals("[albtrace] hello there" + System.lineSeparator(), err);
    }

    @Test
    void warnOnceSaysItOnce() throws Exception {
        String key = unique("key");
        String err = StdErr.capture(() -> {
            Log.warnOnce(key, "first");
            Log.warnOnce(key, "second");
            Log.warnOnce(key, "third");
        });
        assertEquals(List.of("[albtrace] first"), StdErr.lines(err));
    }

    @Test
    void adviceFailedReportsOncePerInstrumentation() throws Exception {
        String a = unique("instr-a");
        String b = unique("instr-b");
        String err = StdErr.capture(() -> {
            Log.adviceFailed(new IllegalStateException("boom-1"), a);
            Log.adviceFailed(new IllegalStateException("boom-2"), a);
            Log.adviceFailed(new IllegalStateException("boom-3"), b);
            Log.adviceFailed(new IllegalStateException("boom-4"), a);
            Log.adviceFailed(new IllegalStateException("boom-5"), b);
        });
        List<String> lines = StdErr.lines(err);
        assertEquals(2, lines.size(), err);
        assertTrue(lines.get(0).startsWith("[albtrace] " + a + " "), lines.get(0));
        assertTrue(lines.get(0).contains("boom-1") && lines.get(0).contains("IllegalStateException"), lines.get(0));
        assertTrue(lines.get(1).startsWith("[albtrace] " + b + " "), lines.get(1));
        assertTrue(lines.get(1).contains("boom-3"), lines.get(1));
    }

    @Test
    void adviceFailedNeverThrows() throws Exception {
        String err = StdErr.capture(() -> {
            assertDoesNotThrow(() -> Log.adviceFailed(null, null));
            assertDoesNotThrow(() -> Log.adviceFailed(null, null));
            assertDoesNotThrow(() -> Log.adviceFailed(null, unique("null-failure")));
            assertDoesNotThrow(() -> Log.adviceFailed(new RuntimeException("x"), null));
            Throwable hostile = new RuntimeException() {
                @Override
                public String toString() {
                    throw new IllegalStateException("toString fails");
                }
            };
            assertDoesNotThrow(() -> Log.adviceFailed(hostile, unique("hostile")));
        });
        for (String line : StdErr.lines(err)) {
            assertTrue(line.startsWith("[albtrace] "), line);
        }
        assertTrue(StdErr.lines(err).size() >= 1, err);
    }

    @Test
    void adviceFailedWithDebugPrintsTheStackAndStillNeverThrows() throws Exception {
        Config.install(config(true));
        String name = unique("debug-instr");
        String err = StdErr.capture(() -> {
            Log.adviceFailed(new IllegalArgumentException("deep"), name);
            assertDoesNotThrow(() -> Log.adviceFailed(null, unique("debug-null")));
        });
        assertTrue(err.startsWith("[albtrace] " + name), err);
        assertTrue(err.contains("\tat io.albtrace.core.LogTest"), "stack trace expected in debug: " + err);
    }

    @Test
    void nothingThrowsWhenStderrIsBroken() throws Exception {
        PrintStream saved = System.err;
        PrintStream broken = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                throw new IllegalStateException("stderr is gone");
            }
        }) {
            @Override
            public void println(String x) {
                throw new IllegalStateException("stderr is gone");
            }
        };
        System.setErr(broken);
        try {
            assertDoesNotThrow(() -> Log.warn("x"));
            assertDoesNotThrow(() -> Log.warnOnce(unique("k"), "x"));
            assertDoesNotThrow(() -> Log.adviceFailed(new RuntimeException(), unique("broken-stderr")));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aValueIsEscapedControlCharactersNulAndBytesOverTilde() {
        assertEquals("Root=1-a;K=v", Log.value("Root=1-a;K=v"));
        assertEquals("\\\\x1b[31m", Log.value("\\x1b[31m"), "a backslash is escaped too: escapes are unambiguous");
        assertEquals("\\x1b[31mred\\x1b[0m\\x1b]0;title\\x07", Log.value("\u001b[31mred\u001b[0m\u001b]0;title\u0007"));
        assertEquals("a\\x00b\\x0d\\x0aSet-Cookie: x\\x09\\x7f", Log.value("a\u0000b\r\nSet-Cookie: x\t\u007f"));
        assertEquals("caf\\xe9 \\xff\\x80 \\u0141 \\ud83d\\ude00 \\u202e",
                Log.value("caf\u00e9 \u00ff\u0080 \u0141 \ud83d\ude00 \u202e"));
        assertEquals("", Log.value(null));
        assertEquals("", Log.value(""));
    }

    @Test
    void aLongValueIsCutAndSaysSo() {
        String exactly = "v".repeat(Log.VALUE_CHARS);
        assertEquals(exactly, Log.value(exactly), "at the bound: whole");
        String over = exactly + "w";
        assertEquals(exactly + "...(cut from " + (Log.VALUE_CHARS + 1) + " characters)", Log.value(over));
        String huge = "x".repeat(200 * 1024);
        assertEquals("x".repeat(Log.VALUE_CHARS) + "...(cut from 204800 characters)", Log.value(huge));
        // the bound counts what is printed: an escape is never split
        String nuls = "\u0000".repeat(Log.VALUE_CHARS);
        String printed = Log.value(nuls);
        assertEquals("\\x00".repeat(Log.VALUE_CHARS / 4) + "...(cut from " + Log.VALUE_CHARS + " characters)",
                printed);
        assertTrue(printed.length() <= Log.VALUE_CHARS + 40, printed);
    }

    @Test
    void aSettingsValueIsNotShownWhole() {
        assertEquals("yes", Log.hidden("yes"));
        assertEquals("", Log.hidden(""));
        assertEquals("\\x1b[", Log.hidden("\u001b["));
        assertEquals("sk_...(32 characters, not shown whole)", Log.hidden("sk_live_0123456789abcdef01234567"));
        assertEquals("\\x00\\xe9x...(400000 characters, not shown whole)",
                Log.hidden("\u0000\u00e9x" + "y".repeat(399_997)));
    }

    @Test
    void everyLineHoldsOnlyVisibleAsciiAndIsBounded() throws Exception {
        String err = StdErr.capture(() -> {
            Log.warn("from an exception: \u001b[2J\u0000\r\n\u00e9\u2028end");
            Log.warn("long: " + "z".repeat(100_000));
        });
        List<String> lines = StdErr.lines(err);
        assertEquals(2, lines.size(), err);
        assertEquals("[albtrace] from an exception: \\x1b[2J\\x00\\x0d\\x0a\\xe9\\u2028end", lines.get(0));
        assertEquals("[albtrace] long: " + "z".repeat(Log.LINE_CHARS - 6) + "...(cut from 100006 characters)",
                lines.get(1));
        assertOnlyVisibleAscii(err);
    }

    /** Every byte is visible ASCII, apart from the line separators. */
    static void assertOnlyVisibleAscii(String printed) {
        for (int i = 0; i < printed.length(); i++) {
            char c = printed.charAt(i);
            assertTrue(c >= 0x20 && c <= 0x7E || c == '\n' || c == '\r' && System.lineSeparator().equals("\r\n"),
                    "character " + (int) c + " at " + i);
        }
    }

    @Test
    void aFailureWithRequestBytesInItsMessageIsEscapedAndCutEvenItsStack() throws Exception {
        Config.install(config(true));
        String name = unique("escaped-failure");
        String err = StdErr.capture(() -> Log.adviceFailed(
                new IllegalArgumentException("bad header \u001b[31m" + "h".repeat(50_000), new IllegalStateException(
                        "cause \u0000")), name));
        assertOnlyVisibleAscii(err.replace('\t', ' ')); // the stack's own indentation
        assertTrue(err.contains("bad header \\x1b[31mhhh"), err.substring(0, 200));
        assertTrue(err.contains("...(cut from "), "the failure's message is cut");
        assertTrue(err.contains("Caused by: java.lang.IllegalStateException: cause \\x00"), err);
        assertTrue(err.length() < 3 * Log.LINE_CHARS + 100 * 200, "bytes: " + err.length());
    }

    @Test
    void debugOnlyWhenEnabled() throws Exception {
        String quiet = StdErr.capture(() -> Log.debug("not shown"));
        assertEquals("", quiet);
        Config.install(config(true));
        assertTrue(Log.debugEnabled());
        String loud = StdErr.capture(() -> Log.debug("shown"));
        assertEquals("[albtrace] debug: shown" + System.lineSeparator(), loud);
    }
}

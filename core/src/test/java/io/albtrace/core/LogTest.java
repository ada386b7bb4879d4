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
    void debugOnlyWhenEnabled() throws Exception {
        String quiet = StdErr.capture(() -> Log.debug("not shown"));
        assertEquals("", quiet);
        Config.install(config(true));
        assertTrue(Log.debugEnabled());
        String loud = StdErr.capture(() -> Log.debug("shown"));
        assertEquals("[albtrace] debug: shown" + System.lineSeparator(), loud);
    }
}

package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutgoingTest {

    static final String R = "1-67891233-abcdef012345678912345678";
    static final String CONTEXT = "Root=" + R + ";CalledFrom=app";
    static final String OWN = "Root=1-11111111-111111111111111111111111;Mine=1";

    private Config previous;

    static Config config(int maxHeaderBytes, boolean debug) {
        Properties p = new Properties();
        p.setProperty(Config.MAX_HEADER_BYTES, String.valueOf(maxHeaderBytes));
        p.setProperty(Config.DEBUG, String.valueOf(debug));
        Config c = Config.load(p, Map.of());
        assertEquals(List.of(), c.problems());
        return c;
    }

    @BeforeEach
    void install() {
        previous = Config.install(config(7168, false));
    }

    @AfterEach
    void restore() {
        Config.install(previous);
        assertNull(Context.current());
    }

    static List<String> assertHeader(String template, String actual, String input) {
        return NewIds.assertMatches(template.replace("{NEW}", NewIds.NEW), actual, input);
    }

    @Test
    void noContextNoHeaderMakesANewRoot() {
        assertHeader("Root={NEW}", Outgoing.header(null, 0), null);
    }

    @Test
    void contextIsForwardedWhenTheRequestHasNoHeader() {
        try (Scope s = Context.bind(CONTEXT)) {
            List<String> a = assertHeader("Self={NEW};" + CONTEXT, Outgoing.header(null, 0), CONTEXT);
            List<String> b = assertHeader("Self={NEW};" + CONTEXT, Outgoing.header(null, 0), CONTEXT);
            assertNotEquals(a.get(0), b.get(0), "two calls share the Root and each gets its own Self");
        }
    }

    @Test
    void theApplicationsOwnHeaderWins() {
        try (Scope s = Context.bind(CONTEXT)) {
            assertHeader("Self={NEW};" + OWN, Outgoing.header(OWN, 0), OWN);
            assertHeader("Root={NEW};K=v", Outgoing.header("K=v", 0), "K=v");
            // an own header is used even when it carries nothing useful
            assertHeader("Root={NEW}", Outgoing.header("", 0), "");
        }
        assertHeader("Self={NEW};" + OWN, Outgoing.header(OWN, 0), OWN);
    }

    @Test
    void configuredBoundIsUsed() {
        // "Self=<35>;" + CONTEXT (55) = 96 characters; the line is 115 bytes
        Config.install(config(115 + 10, false));
        try (Scope s = Context.bind(CONTEXT)) {
            assertHeader("Self={NEW};" + CONTEXT, Outgoing.header(null, 10), CONTEXT);
            assertEquals("Root=" + R, Outgoing.header(null, 11));
            assertEquals("Root=" + R, Outgoing.header("Root=" + R + ";Self=x;K=" + "v".repeat(200), 0));
        }
        Config.install(config(7168, false));
        try (Scope s = Context.bind(CONTEXT)) {
            assertHeader("Self={NEW};" + CONTEXT, Outgoing.header(null, 11), CONTEXT);
            assertHeader("Self={NEW};" + CONTEXT, Outgoing.header(null, 7168 - 115), CONTEXT);
            assertEquals("Root=" + R, Outgoing.header(null, 7168 - 115 + 1));
        }
    }

    @Test
    void debugLogsEveryRewrite() throws Exception {
        Config.install(config(7168, true));
        String[] out = new String[1];
        String err = StdErr.capture(() -> {
            try (Scope s = Context.bind(CONTEXT)) {
                out[0] = Outgoing.header(null, 0);
            }
        });
        assertTrue(err.startsWith("[albtrace] debug: "), err);
        assertTrue(err.contains(CONTEXT) && err.contains(out[0]), err);
        Config.install(config(7168, false));
        assertEquals("", StdErr.capture(() -> Outgoing.header(OWN, 0)));
    }

    @Test
    void onWireKeepsTheValueWithinTheBoundAndCutsItToTheRootOver() {
        String forwarded = "Self=1-6b01c5b8-4821d662f7889aab65bf809d;" + CONTEXT;
        assertSameInstance(forwarded, Outgoing.onWire(forwarded, 7168));
        assertEquals("Root=" + R, Outgoing.onWire(forwarded, 7169));
        assertSameInstance("Root=" + R, Outgoing.onWire("Root=" + R, 7168));
        // never a second Self; no valid Root over the bound: a new Root alone (SPEC 3)
        assertHeader("Root={NEW}", Outgoing.onWire("Root=garbage;K=v", 9000), "Root=garbage;K=v");
        assertEquals("Root=garbage;K=v", Outgoing.onWire("Root=garbage;K=v", 100));
        assertNull(Outgoing.onWire(null, 9000));
        Config.install(config(500, false));
        assertEquals("Root=" + R, Outgoing.onWire(forwarded, 501));
        assertSameInstance(forwarded, Outgoing.onWire(forwarded, 500));
    }

    private static void assertSameInstance(String expected, String actual) {
        assertEquals(expected, actual);
        assertTrue(expected == actual, "the same instance is returned when nothing changes");
    }
}

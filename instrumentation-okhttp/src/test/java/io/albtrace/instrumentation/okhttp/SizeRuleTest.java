package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.Map;
import java.util.Properties;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * SPEC 3, the size rule: when all request headers together, the trace header as it would be written included,
 * are over the bound (7,168 bytes unless configured), only {@code Root=<root>} leaves. The totals are
 * measured on the server: every header line that arrived, counted as {@code name: value\r\n}, OkHttp's own
 * ({@code Host}, {@code User-Agent}, ...) included.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class SizeRuleTest extends OkHttpTestSupport {

    private static final String FULL = "Self={NEW};" + Trace.CONTEXT;
    private static final String ROOT_ONLY = "Root=" + Trace.ROOT;

    /** Sends a request in the test context with one padding header of {@code padLength} characters. */
    private RecordingServer.Received send(int padLength) throws Exception {
        int before = server.received().size();
        Request request = request("/size").header("X-Pad", "a".repeat(padLength)).build();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            execute(request);
        }
        return server.received().get(before);
    }

    /** The padding that makes the whole header set, a fully forwarded trace header included, {@code total}. */
    private int padFor(int total) throws Exception {
        RecordingServer.Received probe = send(1);
        Trace.assertForwarded(FULL, Trace.CONTEXT, probe.traceHeader());
        int pad = 1 + total - probe.headerBytes();
        assertTrue(pad > 0, "the bound " + total + " is too small for this test");
        return pad;
    }

    private void assertBoundIs(int bound) throws Exception {
        int pad = padFor(bound);

        RecordingServer.Received atTheBound = send(pad);
        Trace.assertForwarded(FULL, Trace.CONTEXT, atTheBound.traceHeader());
        assertEquals(bound, atTheBound.headerBytes(), "all headers together are exactly the bound");

        RecordingServer.Received oneOver = send(pad + 1);
        assertEquals(ROOT_ONLY, oneOver.traceHeader());
        int cut = FULL.replace("{NEW}", "x".repeat(35)).length() - ROOT_ONLY.length();
        assertEquals(bound + 1 - cut, oneOver.headerBytes());

        RecordingServer.Received wellUnder = send(pad - 100);
        Trace.assertForwarded(FULL, Trace.CONTEXT, wellUnder.traceHeader());
    }

    @Test
    void theDefaultBoundIs7168Bytes() throws Exception {
        assertEquals(7168, Config.current().maxHeaderBytes());
        assertBoundIs(7168);
    }

    @Test
    void aConfiguredBound() throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.MAX_HEADER_BYTES, "600");
        Config configured = Config.load(p, Map.of());
        assertEquals(600, configured.maxHeaderBytes());
        Config previous = Config.install(configured);
        try {
            assertBoundIs(600);
        } finally {
            Config.install(previous);
        }
        assertEquals(7168, Config.current().maxHeaderBytes());
    }

    @Test
    void theApplicationsHeadersAloneOverTheBound() throws Exception {
        Request request = request("/big").header("X-Big", "b".repeat(7200))
                .header(Trace.NAME, "Self=1-63441c4a-12456789abcdef012345678;" + Trace.CONTEXT).build();
        execute(request);
        assertEquals(ROOT_ONLY, server.only().traceHeader());
    }

    @Test
    void overTheBoundWithoutAValidRootANewRootAlone() throws Exception {
        Request request = request("/big").header("X-Big", "b".repeat(7200))
                .header(Trace.NAME, "Root=garbage;CalledFrom=app").build();
        execute(request);
        Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
    }

    @Test
    void manySmallHeadersCountToo() throws Exception {
        Request.Builder b = request("/many");
        for (int i = 0; i < 100; i++) {
            b.addHeader("X-Many-" + i, "v".repeat(70)); // 100 lines of about 83 bytes
        }
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            execute(b.build());
        }
        assertTrue(server.only().headerBytes() > 7168);
        assertEquals(ROOT_ONLY, server.only().traceHeader());
    }
}

package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 3, the size rule: when all request headers together, the trace header as it would be written included,
 * are over the bound (7,168 bytes unless configured), only {@code Root=<root>} leaves. The totals are measured on
 * the server: every header that arrived, counted as {@code name: value\r\n}, the client's own ({@code Host},
 * {@code User-Agent}, {@code Accept-Encoding}, {@code Connection}...) included.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class SizeRuleTest extends Http5TestSupport {

    private static final String FULL = "Self={NEW};" + Trace.CONTEXT;
    private static final String ROOT_ONLY = "Root=" + Trace.ROOT;

    /** Sends a request in the test context with one padding header of {@code padLength} characters. */
    private TestServer.Received send(Way5 way, int padLength) throws Exception {
        int before = server.received().size();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(way, "GET", "/size", "X-Pad", "a".repeat(padLength));
        }
        return server.received().get(before);
    }

    private void assertBoundIs(Way5 way, int bound) throws Exception {
        TestServer.Received probe = send(way, 1);
        Trace.assertForwarded(FULL, Trace.CONTEXT, probe.traceHeader());
        int pad = 1 + bound - probe.headerBytes();
        assertTrue(pad > 100, "the bound " + bound + " is too small for this test");

        TestServer.Received atTheBound = send(way, pad);
        Trace.assertForwarded(FULL, Trace.CONTEXT, atTheBound.traceHeader());
        assertEquals(bound, atTheBound.headerBytes(), "all headers together are exactly the bound");

        TestServer.Received oneOver = send(way, pad + 1);
        assertEquals(ROOT_ONLY, oneOver.traceHeader());
        int cut = FULL.replace("{NEW}", "x".repeat(35)).length() - ROOT_ONLY.length();
        assertEquals(bound + 1 - cut, oneOver.headerBytes());

        Trace.assertForwarded(FULL, Trace.CONTEXT, send(way, pad - 100).traceHeader());
    }

    @ParameterizedTest
    @MethodSource("ways")
    void theDefaultBoundIs7168Bytes(Way5 way) throws Exception {
        start(way);
        assertEquals(7168, Config.current().maxHeaderBytes());
        assertBoundIs(way, 7168);
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aConfiguredBound(Way5 way) throws Exception {
        start(way);
        Properties p = new Properties();
        p.setProperty(Config.MAX_HEADER_BYTES, "700");
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            assertBoundIs(way, 700);
        } finally {
            Config.install(previous);
        }
    }

    @ParameterizedTest
    @MethodSource("ways")
    void theApplicationsOwnHeaderOverTheBound(Way5 way) throws Exception {
        start(way);
        String header = get(way, "/big", "X-Big", "b".repeat(7200),
                Trace.NAME, "Self=1-63441c4a-12456789abcdef012345678;" + Trace.CONTEXT);
        assertEquals(ROOT_ONLY, header);
    }

    @ParameterizedTest
    @MethodSource("ways")
    void manySmallHeadersCountToo(Way5 way) throws Exception {
        start(way);
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            headers.add("X-Many-" + i);
            headers.add("v".repeat(70)); // 100 lines of about 83 bytes
        }
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get(way, "/many", headers.toArray(new String[0]));
        }
        assertTrue(server.only().headerBytes() > 7168);
        assertEquals(ROOT_ONLY, header);
    }
}

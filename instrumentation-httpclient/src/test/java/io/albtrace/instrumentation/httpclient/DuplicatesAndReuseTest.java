package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 2.1 and 3: several trace headers on a request: exactly one leaves, derived from the first. A request
 * object sent again gets the header of the second call, and the application's object is left as it set it.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class DuplicatesAndReuseTest extends Http5TestSupport {

    private static final String FIRST = "Root=1-67891233-abcdef012345678912345678;K=first";
    private static final String SECOND = "Root=1-11111111-111111111111111111111111;K=second";
    private static final String CONTEXT2 = "Root=1-22222222-222222222222222222222222;From=second";

    @ParameterizedTest
    @MethodSource("ways")
    void twoCopiesTheFirstCountsOneLeaves(Way5 way) throws Exception {
        start(way);
        Trace.self(get(way, "/same", Trace.NAME, FIRST, Trace.NAME, SECOND), FIRST);
    }

    @ParameterizedTest
    @MethodSource("ways")
    void copiesWhoseNamesDifferInCaseAlsoOverTheContext(Way5 way) throws Exception {
        start(way);
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get(way, "/case", "x-amzn-trace-id", FIRST, "X-AMZN-TRACE-ID", SECOND,
                    Trace.NAME, "Root=1-22222222-222222222222222222222222");
        }
        Trace.self(header, FIRST);
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aRequestObjectSentAgainGetsTheSecondCallsContext(Way5 way) throws Exception {
        start(way);
        Object request = way.request("GET", server.url("/reused"), "X-Other", "kept");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, way.send(request));
        }
        assertUntouched(way, request, List.of());
        try (Scope s = Context.bind(CONTEXT2)) {
            assertEquals(200, way.send(request));
        }
        assertUntouched(way, request, List.of());
        assertEquals(200, way.send(request));
        List<TestServer.Received> all = server.received();
        assertEquals(3, all.size(), all::toString);
        Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        Trace.self(all.get(1).traceHeader(), CONTEXT2);
        Trace.assertForwarded("Root={NEW}", null, all.get(2).traceHeader());
        assertEquals("kept", all.get(2).header("X-Other"));
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aRequestObjectWithItsOwnHeaderSentAgainGetsANewSelfEachTime(Way5 way) throws Exception {
        start(way);
        Object request = way.request("GET", server.url("/reused-own"), Trace.NAME, FIRST);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, way.send(request));
        }
        assertUntouched(way, request, List.of(FIRST));
        assertEquals(200, way.send(request));
        assertUntouched(way, request, List.of(FIRST));
        List<TestServer.Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        assertNotEquals(Trace.self(all.get(0).traceHeader(), FIRST), Trace.self(all.get(1).traceHeader(), FIRST));
    }

    /** The application's request object holds exactly the trace headers it set (for async, once it was sent). */
    private static void assertUntouched(Way5 way, Object request, List<String> set) {
        List<String> now = way.traceHeadersOf(request);
        if (now != null) {
            assertEquals(set, now, "the application's request object after the call");
        }
    }
}

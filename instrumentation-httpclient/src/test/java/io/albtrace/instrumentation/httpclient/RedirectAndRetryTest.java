package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 3: what HttpClient sends again on its own (redirects, including the 303 that turns a POST into a bare GET
 * without the application's headers, and retries after 503) keeps the value of the request it derives from:
 * not forwarded again, no new Self.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class RedirectAndRetryTest extends Http5TestSupport {

    private void assertSameValueOnEverySend(int sends, String template, String input) {
        List<TestServer.Received> all = server.received();
        assertEquals(sends, all.size(), all::toString);
        Trace.assertForwarded(template, input, all.get(0).traceHeader());
        for (TestServer.Received r : all) {
            assertEquals(all.get(0).traceHeader(), r.traceHeader(), all::toString);
        }
    }

    @ParameterizedTest
    @MethodSource("followingWays")
    void aRedirectKeepsTheContextsValue(Way5 way) throws Exception {
        start(way).answer("/from", count -> TestServer.Reply.redirect(302, "/to"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(way, "GET", "/from");
        }
        assertEquals("/to", server.received().get(1).path);
        assertSameValueOnEverySend(2, "Self={NEW};" + Trace.CONTEXT, Trace.CONTEXT);
    }

    @ParameterizedTest
    @MethodSource("followingWays")
    void aSeeOtherRedirectOfAPostKeepsTheApplicationsValue(Way5 way) throws Exception {
        start(way).answer("/form", count -> TestServer.Reply.redirect(303, "/result"));
        send(way, "POST", "/form", Trace.NAME, "CalledFrom=app");
        assertEquals("/result", server.received().get(1).path);
        assertSameValueOnEverySend(2, "Root={NEW};CalledFrom=app", null);
    }

    @ParameterizedTest
    @MethodSource("followingWays")
    void chainedRedirectsKeepTheValue(Way5 way) throws Exception {
        start(way).answer("/a", count -> TestServer.Reply.redirect(301, "/b"))
                .answer("/b", count -> TestServer.Reply.redirect(307, "/c"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(way, "GET", "/a");
        }
        assertEquals("/c", server.received().get(2).path);
        assertSameValueOnEverySend(3, "Self={NEW};" + Trace.CONTEXT, Trace.CONTEXT);
    }

    @ParameterizedTest
    @MethodSource("followingWays")
    void theClientsOwnRetryAfter503KeepsTheValue(Way5 way) throws Exception {
        start(way).answer("/flaky", count -> count == 1
                ? new TestServer.Reply(503, Map.of("Retry-After", "0")) : null);
        send(way, "GET", "/flaky");
        assertSameValueOnEverySend(2, "Root={NEW}", null);
        assertNull(Context.current());
    }
}

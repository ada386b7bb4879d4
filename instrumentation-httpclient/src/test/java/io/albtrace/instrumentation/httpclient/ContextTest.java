package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC 5: the context where the request is made is forwarded; the application's own header wins over it. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ContextTest extends Http5TestSupport {

    @ParameterizedTest
    @MethodSource("ways")
    void theContextIsForwardedWithANewSelf(Way5 way) throws Exception {
        start(way);
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get(way, "/ctx");
        }
        Trace.self(header, Trace.CONTEXT);
        assertNull(Context.current());
    }

    @ParameterizedTest
    @MethodSource("ways")
    void twoCallsInOneContextShareTheRootEachWithItsOwnSelf(Way5 way) throws Exception {
        start(way);
        String a;
        String b;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            a = get(way, "/one");
            b = get(way, "/two");
        }
        assertNotEquals(Trace.self(a, Trace.CONTEXT), Trace.self(b, Trace.CONTEXT));
    }

    @ParameterizedTest
    @MethodSource("ways")
    void theApplicationsHeaderWinsOverTheContext(Way5 way) throws Exception {
        start(way);
        String own = "Root=1-11111111-111111111111111111111111;Mine=1";
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get(way, "/own", Trace.NAME, own);
        }
        Trace.self(header, own);
    }

    @ParameterizedTest
    @MethodSource("ways")
    void noContextNoHeaderANewRoot(Way5 way) throws Exception {
        start(way);
        Trace.assertForwarded("Root={NEW}", null, get(way, "/none"));
    }

    /**
     * SPEC 5.2: an async call made inside a bound context forwards that context although the I/O reactor sends it,
     * after execute returned and the caller's context was closed; a later call made outside the context gets none.
     */
    @ParameterizedTest
    @MethodSource("asyncWays")
    void asyncCallsForwardTheCallersContextNotTheSendersOne(Way5 way) throws Exception {
        start(way);
        String context2 = "Root=1-22222222-222222222222222222222222;From=second";
        List<Future<SimpleHttpResponse>> futures = new ArrayList<>();
        // several calls in flight at once, each made in its own context, none waited for inside it
        for (int i = 0; i < 6; i++) {
            SimpleHttpRequest r = (SimpleHttpRequest) way.request("GET", server.url("/async/" + i));
            try (Scope s = Context.bind(i % 2 == 0 ? Trace.CONTEXT : context2)) {
                futures.add(way.execute(r));
            }
        }
        for (Future<SimpleHttpResponse> f : futures) {
            assertEquals(200, f.get(20, TimeUnit.SECONDS).getCode());
        }
        List<TestServer.Received> all = server.received();
        assertEquals(6, all.size(), all::toString);
        for (TestServer.Received r : all) {
            int i = Integer.parseInt(r.path.substring("/async/".length()));
            Trace.self(r.traceHeader(), i % 2 == 0 ? Trace.CONTEXT : context2);
        }
        Trace.assertForwarded("Root={NEW}", null, get(way, "/after"));
    }

    static List<Way5> asyncWays() {
        return Arrays.stream(Way5.values()).filter(Way5::simple).collect(Collectors.toList());
    }
}

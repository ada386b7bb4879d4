package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.http.client.methods.HttpRequestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HttpClient 4.5.14 ({@code org.apache.http}, beside HttpClient 5 on the test class path): the vectors, the
 * context, duplicates, reuse of a request object, redirects, retries and the size rule, through each client
 * kind, to the JDK's HTTP/1.1 server on 127.0.0.1, and over TLS ({@link Way4#TLS}) to Jetty speaking HTTP/1.1.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class HttpClient4Test {

    private static final String FIRST = "Root=1-67891233-abcdef012345678912345678;K=first";
    private static final String SECOND = "Root=1-11111111-111111111111111111111111;K=second";
    private static final String CONTEXT2 = "Root=1-22222222-222222222222222222222222;From=second";

    TestServer server;

    /** A fresh server of the kind {@code way} talks to: TLS for {@link Way4#TLS}, clear text otherwise. */
    TestServer start(Way4 way) throws Exception {
        server = TestServer.start(false, way.tls());
        return server;
    }

    @AfterEach
    void closeServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    HttpRequestBase send(Way4 way, String method, String path, String... headers) throws Exception {
        HttpRequestBase request = way.request(method, server.url(path), headers);
        assertEquals(200, way.send(request), way + " " + path);
        return request;
    }

    String get(Way4 way, String path, String... headers) throws Exception {
        int before = server.received().size();
        send(way, "GET", path, headers);
        List<TestServer.Received> all = server.received();
        assertEquals(before + 1, all.size(), all::toString);
        assertEquals("HTTP/1.1", all.get(before).protocol, "the protocol the server saw");
        assertEquals(way.tls(), all.get(before).secure, "the request came over TLS");
        return all.get(before).traceHeader();
    }

    static List<Arguments> vectors() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (Way4 way : Way4.values()) {
            for (String[] v : ForwardingVectorsTest.vectors()) {
                cases.add(Arguments.of(way, v[0], v[1], v[2]));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("vectors")
    void forwardsTheVector(Way4 way, String name, String input, String expected) throws Exception {
        start(way);
        String header = "-".equals(input) ? null : input;
        String actual = header == null ? get(way, "/vector/" + name) : get(way, "/vector/" + name, Trace.NAME, header);
        Trace.assertForwarded(expected, header, actual);
    }

    @Test
    void theClassesAndTheUserAgentAreThoseOf4514() throws Exception {
        start(Way4.DEFAULT);
        assertEquals("httpclient-4.5.14.jar", jarOf(Class.forName("org.apache.http.impl.client.InternalHttpClient")));
        assertEquals("httpcore-4.4.16.jar", jarOf(org.apache.http.impl.DefaultBHttpClientConnection.class));
        get(Way4.DEFAULT, "/ua");
        String ua = server.only().header("User-Agent");
        assertTrue(ua.startsWith("Apache-HttpClient/4.5.14 "), ua);
    }

    private static String jarOf(Class<?> type) throws URISyntaxException {
        return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
    }

    @ParameterizedTest
    @EnumSource(Way4.class)
    void theContextIsForwardedAndTheApplicationsHeaderWins(Way4 way) throws Exception {
        start(way);
        String a;
        String b;
        String own;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            a = get(way, "/a");
            b = get(way, "/b");
            own = get(way, "/own", Trace.NAME, SECOND);
        }
        assertNotEquals(Trace.self(a, Trace.CONTEXT), Trace.self(b, Trace.CONTEXT));
        Trace.self(own, SECOND);
    }

    @ParameterizedTest
    @EnumSource(Way4.class)
    void duplicatesTheFirstCountsOneLeaves(Way4 way) throws Exception {
        start(way);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            Trace.self(get(way, "/dup", "x-amzn-trace-id", FIRST, "X-AMZN-TRACE-ID", SECOND, Trace.NAME, SECOND),
                    FIRST);
        }
    }

    @ParameterizedTest
    @EnumSource(Way4.class)
    void aRequestObjectSentAgainGetsTheSecondCallsContext(Way4 way) throws Exception {
        start(way);
        HttpRequestBase request = way.request("GET", server.url("/reused"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, way.send(request));
        }
        assertEquals(List.of(), Way4.traceHeadersOf(request));
        try (Scope s = Context.bind(CONTEXT2)) {
            assertEquals(200, way.send(request));
        }
        assertEquals(List.of(), Way4.traceHeadersOf(request));
        HttpRequestBase own = way.request("GET", server.url("/reused-own"), Trace.NAME, FIRST);
        assertEquals(200, way.send(own));
        assertEquals(200, way.send(own));
        assertEquals(List.of(FIRST), Way4.traceHeadersOf(own));
        List<TestServer.Received> all = server.received();
        assertEquals(4, all.size(), all::toString);
        Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        Trace.self(all.get(1).traceHeader(), CONTEXT2);
        assertNotEquals(Trace.self(all.get(2).traceHeader(), FIRST), Trace.self(all.get(3).traceHeader(), FIRST));
    }

    @ParameterizedTest
    @EnumSource(value = Way4.class, names = "MINIMAL", mode = EnumSource.Mode.EXCLUDE)
    void redirectsKeepTheValue(Way4 way) throws Exception {
        start(way);
        server.answer("/from", count -> TestServer.Reply.redirect(302, "/to"))
                .answer("/a", count -> TestServer.Reply.redirect(301, "/b"))
                .answer("/b", count -> TestServer.Reply.redirect(307, "/c"))
                .answer("/form", count -> TestServer.Reply.redirect(303, "/result"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(way, "GET", "/from");
            send(way, "GET", "/a");
        }
        send(way, "POST", "/form", Trace.NAME, "CalledFrom=app");
        List<TestServer.Received> all = server.received();
        assertEquals(List.of("/from", "/to", "/a", "/b", "/c", "/form", "/result"),
                all.stream().map(r -> r.path).collect(java.util.stream.Collectors.toList()));
        Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(all.get(0).traceHeader(), all.get(1).traceHeader());
        Trace.self(all.get(2).traceHeader(), Trace.CONTEXT);
        assertNotEquals(all.get(0).traceHeader(), all.get(2).traceHeader());
        assertEquals(all.get(2).traceHeader(), all.get(3).traceHeader());
        assertEquals(all.get(2).traceHeader(), all.get(4).traceHeader());
        Trace.assertForwarded("Root={NEW};CalledFrom=app", null, all.get(5).traceHeader());
        assertEquals(all.get(5).traceHeader(), all.get(6).traceHeader());
    }

    @Test
    void theClientsOwnRetryAfter503KeepsTheValue() throws Exception {
        start(Way4.CUSTOM_RETRYING);
        server.answer("/flaky", count -> count == 1 ? new TestServer.Reply(503, Map.of()) : null);
        send(Way4.CUSTOM_RETRYING, "GET", "/flaky");
        List<TestServer.Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        Trace.assertForwarded("Root={NEW}", null, all.get(0).traceHeader());
        assertEquals(all.get(0).traceHeader(), all.get(1).traceHeader());
    }

    @ParameterizedTest
    @EnumSource(Way4.class)
    void theSizeRuleCountsTheRealHeaders(Way4 way) throws Exception {
        start(way);
        String full = "Self={NEW};" + Trace.CONTEXT;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(way, "GET", "/probe", "X-Pad", "a");
            TestServer.Received probe = server.received().get(0);
            Trace.assertForwarded(full, Trace.CONTEXT, probe.traceHeader());
            int pad = 1 + 7168 - probe.headerBytes();
            send(way, "GET", "/at", "X-Pad", "a".repeat(pad));
            send(way, "GET", "/over", "X-Pad", "a".repeat(pad + 1));
        }
        TestServer.Received at = server.received().get(1);
        assertEquals(7168, at.headerBytes());
        Trace.assertForwarded(full, Trace.CONTEXT, at.traceHeader());
        assertEquals("Root=" + Trace.ROOT, server.received().get(2).traceHeader());
    }
}

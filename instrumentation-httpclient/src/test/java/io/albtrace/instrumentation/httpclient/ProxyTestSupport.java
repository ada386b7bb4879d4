package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client with an HTTP proxy ({@link RawHttpServer}) to an origin on 127.0.0.1, each test twice: to an {@code http:}
 * origin (the JDK's server), where the proxy receives the application's request itself (absolute URI) and forwards
 * it, and to an {@code https:} origin (Jetty over TLS), reached through a {@code CONNECT} tunnel.
 *
 * <p>SPEC 3 and 5 hold for the application's request: exactly one header reaches the origin, from the application's
 * own header or the context, and the size rule counts that request's headers. A {@code CONNECT} is not the
 * application's request but the client's way to the origin: it carries no trace header, and the proxy, which sees
 * only it, learns nothing from the agent. Every test checks what the proxy saw: the {@code CONNECT}s without a
 * header, or the forwarded request with the same one header as the origin got.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
abstract class ProxyTestSupport {

    private static final String FIRST = "Root=1-67891233-abcdef012345678912345678;K=first";
    private static final String SECOND = "Root=1-11111111-111111111111111111111111;K=second";

    /** A client made for one test, with the test's proxy, its TLS trusting the test certificate. */
    interface ProxiedClient extends AutoCloseable {
        /**
         * Sends a request with the headers given as name, value, ...; an async client only starts sending it. The
         * returned call waits for the response and gives its status.
         */
        Callable<Integer> submit(String method, String url, String... headers) throws Exception;

        @Override
        void close() throws IOException;
    }

    /** Makes the client under test, its proxy {@code http://127.0.0.1:proxyPort}. */
    abstract ProxiedClient client(int proxyPort) throws Exception;

    /** The protocol the origin sees through the tunnel (TLS, then what ALPN chose). */
    abstract String tunnelledProtocol();

    /** Why the client cannot be tested to this origin with the library on the class path, or null when it can. */
    String unsupported(boolean https) {
        return null;
    }

    RawHttpServer proxy;
    TestServer origin;
    ProxiedClient client;

    void start(boolean https) throws Exception {
        String unsupported = unsupported(https);
        assumeTrue(unsupported == null, unsupported);
        proxy = new RawHttpServer();
        origin = TestServer.start(false, https);
        client = client(proxy.port());
    }

    @AfterEach
    void closeAll() throws Exception {
        try (AutoCloseable o = origin; AutoCloseable p = proxy; AutoCloseable c = client) {
            // closed in reverse order: the client, the proxy, the origin
        }
    }

    /** Waits for a submitted request; returns what the origin received for it, after checking what the proxy saw. */
    TestServer.Received complete(Callable<Integer> pending, boolean https, String path) throws Exception {
        assertEquals(200, pending.call(), path);
        List<TestServer.Received> at = origin.received().stream().filter(r -> r.path.equals(path))
                .collect(Collectors.toList());
        assertEquals(1, at.size(), () -> "the origin received " + origin.received());
        TestServer.Received r = at.get(0);
        assertEquals(https, r.secure, "the request came over TLS");
        assertEquals(https ? tunnelledProtocol() : "HTTP/1.1", r.protocol, "the protocol the origin saw");

        List<RawHttpServer.Head> seen = proxy.heads();
        if (https) {
            assertFalse(seen.isEmpty(), "the client went through the proxy");
            for (RawHttpServer.Head s : seen) {
                assertEquals("CONNECT", s.method(), seen::toString);
                assertEquals("127.0.0.1:" + origin.port(), s.target(), seen::toString);
                assertEquals(List.of(), s.traceHeaders(), "a CONNECT carries no trace header: " + seen);
            }
        } else {
            List<RawHttpServer.Head> forwarded = seen.stream().filter(s -> s.target().equals(origin.url(path)))
                    .collect(Collectors.toList());
            assertEquals(1, forwarded.size(), () -> "the proxy saw " + seen);
            assertEquals(List.of(r.traceHeader()), forwarded.get(0).traceHeaders(),
                    "the proxy saw the one header the origin got");
        }
        return r;
    }

    TestServer.Received send(boolean https, String path, String... headers) throws Exception {
        return complete(client.submit("GET", origin.url(path), headers), https, path);
    }

    /** All the request's headers as its client wrote them: at the proxy, or at the origin through a tunnel. */
    int headerBytesAsWritten(boolean https, TestServer.Received atOrigin) {
        if (https) {
            return atOrigin.headerBytes();
        }
        String url = origin.url(atOrigin.path);
        return proxy.heads().stream().filter(s -> s.target().equals(url)).findFirst().orElseThrow().headerBytes();
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void noContextNoHeaderANewRoot(boolean https) throws Exception {
        start(https);
        Trace.assertForwarded("Root={NEW}", null, send(https, "/none").traceHeader());
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void twoCallsInAContextEachGetItsValueWithItsOwnSelf(boolean https) throws Exception {
        start(https);
        Callable<Integer> a;
        Callable<Integer> b;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            a = client.submit("GET", origin.url("/a"));
            b = client.submit("GET", origin.url("/b"));
        }
        String selfA = Trace.self(complete(a, https, "/a").traceHeader(), Trace.CONTEXT);
        String selfB = Trace.self(complete(b, https, "/b").traceHeader(), Trace.CONTEXT);
        assertNotEquals(selfA, selfB);
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void theApplicationsHeaderWinsAndOneCopyLeaves(boolean https) throws Exception {
        start(https);
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = send(https, "/own", Trace.NAME, FIRST, Trace.NAME, SECOND).traceHeader();
        }
        Trace.self(header, FIRST);
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void theSizeRuleCountsTheRealRequestsHeaders(boolean https) throws Exception {
        start(https);
        String full = "Self={NEW};" + Trace.CONTEXT;
        TestServer.Received probe;
        TestServer.Received at;
        TestServer.Received over;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            probe = send(https, "/probe", "X-Pad", "a");
            Trace.assertForwarded(full, Trace.CONTEXT, probe.traceHeader());
            int pad = 1 + 7168 - headerBytesAsWritten(https, probe);
            assertTrue(pad > 6000, "the probe's headers are small");
            at = send(https, "/at", "X-Pad", "a".repeat(pad));
            over = send(https, "/over", "X-Pad", "a".repeat(pad + 1));
        }
        assertEquals(7168, headerBytesAsWritten(https, at), "all headers together are exactly the bound");
        Trace.assertForwarded(full, Trace.CONTEXT, at.traceHeader());
        assertEquals("Root=" + Trace.ROOT, over.traceHeader());
    }
}

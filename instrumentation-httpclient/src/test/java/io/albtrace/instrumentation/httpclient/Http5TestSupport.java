package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The instrumentation installed, and a fresh server for each test, of the kind the way under test talks. */
@ExtendWith(InstalledAgent.class)
abstract class Http5TestSupport {

    TestServer server;

    /** Every way, for parameterized tests. */
    static List<Way5> ways() {
        return Arrays.asList(Way5.values());
    }

    /** The ways that follow redirects and retry on their own (the minimal clients do neither). */
    static List<Way5> followingWays() {
        return Arrays.stream(Way5.values()).filter(Way5::follows).collect(Collectors.toList());
    }

    /** Starts the server {@code way} talks to; skips the test when the HttpClient 5 line cannot run {@code way}. */
    TestServer start(Way5 way) throws Exception {
        String unsupported = way.unsupported();
        assumeTrue(unsupported == null, unsupported);
        server = TestServer.start(way.h2, way.tls);
        return server;
    }

    @AfterEach
    void closeServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Sends a request of {@code method} to {@code path} with {@code headers}; asserts 200. */
    Object send(Way5 way, String method, String path, String... headers) throws Exception {
        Object request = way.request(method, server.url(path), headers);
        assertEquals(200, way.send(request), way + " " + path);
        return request;
    }

    /** Sends a GET with {@code headers}; returns the one trace header the server saw for it. */
    String get(Way5 way, String path, String... headers) throws Exception {
        int before = server.received().size();
        send(way, "GET", path, headers);
        List<TestServer.Received> all = server.received();
        assertEquals(before + 1, all.size(), all::toString);
        TestServer.Received r = all.get(before);
        assertEquals(way.h2 ? "HTTP/2.0" : "HTTP/1.1", r.protocol, "the protocol the server saw");
        assertEquals(way.tls, r.secure, "the request came over TLS");
        return r.traceHeader();
    }
}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.albtrace.testing.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code HttpURLConnection} (http: and https:) to the JDK's server, with the agent installed. */
@ExtendWith(InstalledAgent.class)
class HttpUrlConnectionTest {

    RecordingServer server;

    @BeforeEach
    void start() throws IOException {
        server = new RecordingServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static List<Arguments> vectors() throws IOException {
        return Vectors.rows();
    }

    HttpURLConnection open(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(server.url(path)).openConnection();
        c.setUseCaches(false);
        return c;
    }

    static String body(HttpURLConnection c) throws IOException {
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void forwardsTheVector(String name, String input, String expected) throws IOException {
        assertNull(Context.current());
        HttpURLConnection c = open("/vector/" + name);
        if (input != null) {
            c.setRequestProperty(Trace.NAME, input);
        }
        assertEquals("ok", body(c));
        Trace.assertForwarded(expected, input, server.only().traceHeader());
    }

    @Test
    void getResponseCodeThenGetInputStreamSendsOnceWithOneHeader() throws IOException {
        HttpURLConnection c = open("/code-then-body");
        c.connect();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, c.getResponseCode());
            assertEquals(200, c.getResponseCode());
            assertEquals("ok", body(c));
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void getInputStreamThenGetResponseCode() throws IOException {
        HttpURLConnection c = open("/body-then-code");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", body(c));
            assertEquals(200, c.getResponseCode());
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void postWithGetOutputStreamThenGetResponseCode() throws IOException {
        HttpURLConnection c = open("/post");
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            try (OutputStream out = c.getOutputStream()) {
                out.write("hello".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(200, c.getResponseCode());
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void streamingPostWritesTheHeaderWithGetOutputStream() throws IOException {
        HttpURLConnection c = open("/stream");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(5);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            try (OutputStream out = c.getOutputStream()) {
                out.write("hello".getBytes(StandardCharsets.UTF_8));
            }
        }
        // the headers left with getOutputStream(), inside the context; reading happens outside it
        assertEquals("ok", body(c));
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void eachConnectionInAContextHasItsOwnSelf() throws IOException {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            body(open("/a"));
            body(open("/b"));
        }
        List<RecordingServer.Received> r = server.received();
        assertNotEquals(Trace.self(r.get(0).traceHeader(), Trace.CONTEXT),
                Trace.self(r.get(1).traceHeader(), Trace.CONTEXT));
    }

    @Test
    void theApplicationsOwnHeaderWinsAndTheFirstCopyCounts() throws IOException {
        String first = "Root=" + Trace.ROOT + ";CalledFrom=first";
        HttpURLConnection c = open("/own");
        c.addRequestProperty(Trace.NAME, first);
        c.addRequestProperty("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=second");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            body(c);
        }
        Trace.self(server.only().traceHeader(), first);
    }

    @Test
    void setRequestPropertyReplacesAnEarlierValue() throws IOException {
        String last = "Root=" + Trace.ROOT + ";CalledFrom=set";
        HttpURLConnection c = open("/set");
        c.setRequestProperty(Trace.NAME, "Root=1-5759e988-bd862e3fe1be46a994272793");
        c.setRequestProperty(Trace.NAME, last);
        body(c);
        Trace.self(server.only().traceHeader(), last);
    }

    @Test
    void aRedirectKeepsTheValueOfTheRequestItFollows() throws IOException {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", body(open("/from")));
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        Trace.self(r.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader(), "the redirect is not forwarded a second time");
    }

    @Test
    void aRedirectKeepsTheApplicationsForwardedValueToo() throws IOException {
        String own = "Root=" + Trace.ROOT + ";Mine=1";
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        HttpURLConnection c = open("/from");
        c.setRequestProperty(Trace.NAME, own);
        assertEquals("ok", body(c));
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        Trace.self(r.get(0).traceHeader(), own);
        assertEquals(r.get(0).traceHeader(), r.get(1).traceHeader());
    }

    /** POST /from answers 302 to /to; the JDK follows it with a GET and a new, empty set of request headers. */
    List<RecordingServer.Received> postRedirectedToGet(String own) throws IOException {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().set("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        HttpURLConnection c = open("/from");
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        if (own != null) {
            c.setRequestProperty(Trace.NAME, own);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write("form".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("ok", body(c));
        List<RecordingServer.Received> r = server.received();
        assertEquals(2, r.size(), r.toString());
        assertEquals("POST", r.get(0).method);
        assertEquals("GET", r.get(1).method, "the JDK turns a redirected POST into a GET");
        return r;
    }

    @Test
    void aPostRedirectedToAGetKeepsTheValueOfThePost() throws IOException {
        List<RecordingServer.Received> r;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            r = postRedirectedToGet(null);
        }
        Trace.self(r.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(List.of(r.get(0).traceHeader()), r.get(1).traceHeaders(),
                "the redirect carries exactly the value of the request it derives from");
    }

    @Test
    void aPostRedirectedToAGetKeepsTheForwardedApplicationsValue() throws IOException {
        String own = "Root=" + Trace.ROOT + ";Mine=1";
        List<RecordingServer.Received> r;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            r = postRedirectedToGet(own);
        }
        Trace.self(r.get(0).traceHeader(), own);
        assertEquals(List.of(r.get(0).traceHeader()), r.get(1).traceHeaders());
    }

    @Test
    void aPostRedirectedToAGetWithoutContextKeepsItsNewRoot() throws IOException {
        List<RecordingServer.Received> r = postRedirectedToGet(null);
        Trace.assertForwarded("Root={NEW}", null, r.get(0).traceHeader());
        assertEquals(List.of(r.get(0).traceHeader()), r.get(1).traceHeaders());
    }

    @Test
    void sizeRuleAtTheBoundCountsTheConnectionsOwnHeaders() throws IOException {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        HttpURLConnection probe = open("/probe");
        probe.setRequestProperty(Trace.NAME, own);
        probe.setRequestProperty("X-Filler", "x");
        body(probe);
        int atBound = 1 + (7168 - server.received().get(0).headerBytes());
        for (int n : new int[] {atBound, atBound + 1}) {
            HttpURLConnection c = open("/n" + n);
            c.setRequestProperty(Trace.NAME, own);
            c.setRequestProperty("X-Filler", "x".repeat(n));
            body(c);
        }
        List<RecordingServer.Received> r = server.received();
        assertEquals(7168, r.get(1).headerBytes(), "the filler brings the headers exactly to the bound");
        Trace.self(r.get(1).traceHeader(), own);
        Trace.assertForwarded("Root=" + Trace.ROOT, own, r.get(2).traceHeader());
    }

    @Test
    void https() throws Exception {
        try (RecordingServer tls = new RecordingServer(SelfSignedTls.get().context)) {
            HttpsURLConnection c = (HttpsURLConnection) new URL(tls.url("/tls")).openConnection();
            c.setSSLSocketFactory(SelfSignedTls.get().context.getSocketFactory());
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                assertEquals(200, c.getResponseCode());
                assertEquals("ok", body(c));
            }
            Trace.self(tls.only().traceHeader(), Trace.CONTEXT);
        }
    }

    @Test
    void httpsWithTheApplicationsHeader() throws Exception {
        String own = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT;
        try (RecordingServer tls = new RecordingServer(SelfSignedTls.get().context)) {
            HttpsURLConnection c = (HttpsURLConnection) new URL(tls.url("/tls")).openConnection();
            c.setSSLSocketFactory(SelfSignedTls.get().context.getSocketFactory());
            c.setRequestProperty(Trace.NAME, own);
            assertEquals("ok", body(c));
            Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT, own, tls.only().traceHeader());
        }
    }
}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code HttpURLConnection} to the JDK's server, with the agent installed: what only it has, the header written once
 * whatever the order of {@code connect}, {@code getOutputStream}, {@code getResponseCode} and {@code getInputStream},
 * streaming modes, and {@code setRequestProperty} replacing an earlier value. The contract common to every client is
 * {@link JdkClientContractTest}'s.
 */
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
    void setRequestPropertyReplacesAnEarlierValue() throws IOException {
        String last = "Root=" + Trace.ROOT + ";CalledFrom=set";
        HttpURLConnection c = open("/set");
        c.setRequestProperty(Trace.NAME, "Root=1-5759e988-bd862e3fe1be46a994272793");
        c.setRequestProperty(Trace.NAME, last);
        body(c);
        Trace.self(server.only().traceHeader(), last);
    }

}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the JDK client must do over HTTP/2, whichever way the connection is made ({@link Http2Test}: h2c,
 * {@link Http2TlsTest}: h2 over TLS): every stream carries exactly one header per SPEC 3 and 5, its headers written
 * through {@code Stream.headerFrame} and the size rule counted over them.
 */
@ExtendWith(InstalledAgent.class)
abstract class Http2Contract {

    HttpClient client;

    /** The server of the concrete test class. */
    abstract H2Jetty server();

    /** A client of the kind the concrete test class is about, its connection ready for HTTP/2 streams. */
    HttpClient newClient() throws Exception {
        return newClient(HttpClient.newBuilder());
    }

    /** {@link #newClient()} from {@code builder}, which may hold a test's own settings. */
    abstract HttpClient newClient(HttpClient.Builder builder) throws Exception;

    @BeforeEach
    void client() throws Exception {
        client = newClient();
        server().seen.clear();
    }

    void send(HttpClient c, HttpRequest request) throws Exception {
        HttpResponse<String> r = c.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    void send(HttpRequest request) throws Exception {
        send(client, request);
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(server().uri(path));
    }

    @Test
    void withoutContextANewRoot() throws Exception {
        send(get("/none").build());
        Trace.assertForwarded("Root={NEW}", null, server().only());
    }

    @Test
    void theContextIsForwardedWithItsCustomField() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(get("/ctx").build());
        }
        Trace.self(server().only(), Trace.CONTEXT);
    }

    @Test
    void theApplicationsOwnHeaderWinsOverTheContext() throws Exception {
        String own = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";Mine=1";
        try (Scope s = Context.bind("Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=ctx")) {
            send(get("/own").header(Trace.NAME, own).build());
        }
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";Mine=1", own, server().only());
    }

    @Test
    void twoCopiesLeaveAsOne() throws Exception {
        String first = "Root=" + Trace.ROOT + ";CalledFrom=first";
        send(get("/dup").header(Trace.NAME, first).header("x-amzn-trace-id", "Root=x").build());
        Trace.self(server().only(), first);
    }

    @Test
    void anInvalidRootIsReplaced() throws Exception {
        send(get("/bad").header(Trace.NAME, "Root=garbage;CalledFrom=app").build());
        Trace.assertForwarded("Root={NEW};CalledFrom=app", null, server().only());
    }

    @Test
    void sendAsyncForwardsTheCallersContext() throws Exception {
        CompletableFuture<HttpResponse<String>> f;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            f = client.sendAsync(get("/async").build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(HttpClient.Version.HTTP_2, f.get(30, TimeUnit.SECONDS).version());
        Trace.self(server().only(), Trace.CONTEXT);
    }

    @Test
    void eachStreamHasItsOwnSelf() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(get("/1").build());
            send(get("/2").build());
        }
        assertEquals(2, server().seen.size());
        assertNotEquals(Trace.self(server().seen.get(0).trace.get(0), Trace.CONTEXT),
                Trace.self(server().seen.get(1).trace.get(0), Trace.CONTEXT));
    }

    /** The two requests seen, both HTTP/2 streams, each with one trace header, and the same one. */
    String sameOnBoth(String firstPath, String secondPath) {
        assertEquals(2, server().seen.size());
        H2Jetty.Seen first = server().seen.get(0);
        H2Jetty.Seen second = server().seen.get(1);
        assertEquals(firstPath, first.path);
        assertEquals(secondPath, second.path);
        assertEquals("HTTP/2.0", first.version);
        assertEquals("HTTP/2.0", second.version);
        assertEquals(1, first.trace.size(), first.trace.toString());
        assertEquals(first.trace, second.trace, "not forwarded a second time");
        return first.trace.get(0);
    }

    @Test
    void aRedirectKeepsTheValueOfTheRequestItFollows() throws Exception {
        HttpClient c = newClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL));
        server().seen.clear();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(c, get("/redirect").build());
        }
        Trace.self(sameOnBoth("/redirect", "/landed"), Trace.CONTEXT);
    }

    @Test
    void anAuthenticationRetryKeepsTheValue() throws Exception {
        HttpClient c = newClient(HttpClient.newBuilder().authenticator(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("user", "secret".toCharArray());
            }
        }));
        server().seen.clear();
        send(c, get("/auth").build());
        Trace.assertForwarded("Root={NEW}", null, sameOnBoth("/auth", "/auth"));
    }

    @Test
    void sizeRuleAtTheBoundCountsTheClientsOwnHeaders() throws Exception {
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        // a probe tells how many bytes the request's headers take besides the filler (pseudo-headers not counted)
        send(get("/probe").header(Trace.NAME, own).header("X-Filler", "x").build());
        int atBound = 1 + (7168 - server().onlySeen().headerBytes);
        server().seen.clear();
        send(get("/at").header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound)).build());
        assertEquals(7168, server().onlySeen().headerBytes, "the filler brings the headers exactly to the bound");
        Trace.self(server().only(), own);
        server().seen.clear();
        send(get("/over").header(Trace.NAME, own).header("X-Filler", "x".repeat(atBound + 1)).build());
        Trace.assertForwarded("Root=" + Trace.ROOT, own, server().only());
    }

    @Test
    void sizeRuleAtTheBoundOnTheForwardedContext() throws Exception {
        // no header of the application's: the value the agent keeps with the client's own headers
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(get("/probe").header("X-Filler", "x").build());
            int atBound = 1 + (7168 - server().onlySeen().headerBytes);
            server().seen.clear();
            send(get("/at").header("X-Filler", "x".repeat(atBound)).build());
            assertEquals(7168, server().onlySeen().headerBytes, "the filler brings the headers exactly to the bound");
            Trace.self(server().only(), Trace.CONTEXT);
            server().seen.clear();
            send(get("/over").header("X-Filler", "x".repeat(atBound + 1)).build());
            Trace.assertForwarded("Root=" + Trace.ROOT, Trace.CONTEXT, server().only());
        }
    }
}

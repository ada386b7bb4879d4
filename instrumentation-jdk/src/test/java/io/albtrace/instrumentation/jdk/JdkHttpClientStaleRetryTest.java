package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java.net.http.HttpClient} over HTTP/1.1 when the pooled keep-alive connection a request is written on
 * turns out stale: the server read the request and closed the connection without a response. The JDK retries a
 * {@code GET} (any method with {@code jdk.httpclient.enableAllMethodRetry}) once, on a new connection, with the same
 * internal request ({@code MultiExchange} on {@code ConnectionExpiredException}). SPEC 3: the retry keeps the value
 * of the attempt it repeats, exactly one header each time; the request before it has its own Self.
 */
@ExtendWith(InstalledAgent.class)
class JdkHttpClientStaleRetryTest {

    /** Its first connection goes stale: it closes without a response once it has read its second request. */
    RawHttpServer server;
    HttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = RawHttpServer.staleAt(0, 1);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url(path)));
    }

    void send(HttpRequest request) throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
    }

    /**
     * The trace header of each of the three heads the server received: {@code GET /first} on connection 0, the
     * attempt of {@code GET /second} on that connection gone stale, and its retry on connection 1; exactly one
     * header in each. The retry must equal the attempt it repeats.
     */
    List<String> firstAttemptAndRetry() {
        List<RawHttpServer.Head> r = server.heads();
        assertEquals(3, r.size(), () -> "the first request, the stale attempt and the retry: " + r);
        assertEquals(List.of(0, 0, 1), List.of(r.get(0).connection, r.get(1).connection, r.get(2).connection),
                r::toString);
        assertEquals("GET /first HTTP/1.1", r.get(0).requestLine);
        assertEquals("GET /second HTTP/1.1", r.get(1).requestLine);
        assertEquals("GET /second HTTP/1.1", r.get(2).requestLine);
        for (RawHttpServer.Head one : r) {
            assertEquals(1, one.traceHeaders().size(), one::toString);
        }
        String first = r.get(0).traceHeaders().get(0);
        String attempt = r.get(1).traceHeaders().get(0);
        String retry = r.get(2).traceHeaders().get(0);
        assertEquals(attempt, retry, "the retry is not forwarded a second time");
        return List.of(first, attempt, retry);
    }

    @Test
    void aRetryOnANewConnectionKeepsTheContextsValue() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/first").build());
            send(request("/second").build());
        }
        List<String> t = firstAttemptAndRetry();
        assertNotEquals(Trace.self(t.get(0), Trace.CONTEXT), Trace.self(t.get(2), Trace.CONTEXT),
                "each request its own Self");
    }

    @Test
    void withoutAContextARetryKeepsItsNewRoot() throws Exception {
        send(request("/first").build());
        send(request("/second").build());
        List<String> t = firstAttemptAndRetry();
        String root1 = Trace.assertForwarded("Root={NEW}", null, t.get(0)).get(0);
        String root2 = Trace.assertForwarded("Root={NEW}", null, t.get(2)).get(0);
        assertNotEquals(root1, root2, "each request outside a context its own Root");
    }

    @Test
    void aRetryKeepsTheApplicationsForwardedHeader() throws Exception {
        String own = "Root=1-5759e988-bd862e3fe1be46a994272793;Self=1-5759e988-0123456789abcdef01234567;Mine=1";
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/first").build());
            send(request("/second").header(Trace.NAME, own).build());
        }
        List<String> t = firstAttemptAndRetry();
        Trace.self(t.get(0), Trace.CONTEXT);
        Trace.assertForwarded("Root=1-5759e988-bd862e3fe1be46a994272793;Self={NEW};Mine=1", own, t.get(2));
    }

    @Test
    void anAsyncRetryOnTheClientsThreadsKeepsTheCallersContext() throws Exception {
        CompletableFuture<HttpResponse<String>> second;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(request("/first").build());
            second = client.sendAsync(request("/second").build(), HttpResponse.BodyHandlers.ofString());
        }
        // the caller's context is gone before the client's threads retry the request
        assertEquals(200, second.get(30, TimeUnit.SECONDS).statusCode());
        List<String> t = firstAttemptAndRetry();
        assertNotEquals(Trace.self(t.get(0), Trace.CONTEXT), Trace.self(t.get(2), Trace.CONTEXT),
                "each request its own Self");
    }
}

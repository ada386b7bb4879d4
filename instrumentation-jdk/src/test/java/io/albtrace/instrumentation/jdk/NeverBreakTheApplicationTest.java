package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.IdSource;
import io.albtrace.core.Ids;
import io.albtrace.core.Scope;
import io.albtrace.core.ServerEntry;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * SPEC 7: a failure inside the agent (here: its identifier source throws) leaves every JDK way of sending and
 * receiving a request as if the agent were absent, and leaves nothing behind on the thread.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NeverBreakTheApplicationTest {

    static final IdSource BROKEN = new IdSource() {
        @Override
        public long epochSecond() {
            throw new IllegalStateException("broken id source (test)");
        }

        @Override
        public long randomHigh() {
            throw new IllegalStateException("broken id source (test)");
        }

        @Override
        public int randomLow() {
            throw new IllegalStateException("broken id source (test)");
        }
    };

    enum Way { SEND, SEND_ASYNC, HTTP_URL_CONNECTION }

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** GETs {@code url} the {@code way}, with the trace header {@code own} (null: none); returns the body. */
    static String get(Way way, String url, String own) throws Exception {
        if (way == Way.HTTP_URL_CONNECTION) {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setUseCaches(false);
            if (own != null) {
                c.setRequestProperty(Trace.NAME, own);
            }
            assertEquals(200, c.getResponseCode());
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (own != null) {
            b.header(Trace.NAME, own);
        }
        HttpResponse<String> r = way == Way.SEND
                ? CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString())
                : CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void aFailingIdSourceLeavesTheServerAsIfTheAgentWereAbsentAndNothingOnItsThread() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        try (RecordingServer back = new RecordingServer(); Front front = new Front(executor, null)) {
            front.handle("/front", exchange -> {
                seen.add(Context.current() + " | " + MDC.get("amzn.trace.id"));
                try {
                    get(Way.SEND, back.url("/by-client"), null);
                    get(Way.HTTP_URL_CONNECTION, back.url("/by-connection"), null);
                } catch (Exception e) {
                    throw new IOException(e);
                }
                Front.respond(exchange, 200, "served");
            });
            Front.Called none;
            Front.Called full;
            Ids.use(BROKEN);
            try {
                none = front.call("/front", null);
                full = front.call("/front", HttpServerEntryTest.FULL);
            } finally {
                Ids.use(null);
            }
            assertEquals(200, none.code);
            assertEquals("served", none.body);
            assertNull(none.responseTraceHeader, "no Root could be made: the response is as without the agent");
            assertEquals(200, full.code);
            assertEquals("served", full.body);
            // without a header no context could be made: the handler ran as without the agent
            assertEquals("null | null", seen.get(0));
            List<RecordingServer.Received> calls = back.received();
            assertEquals(4, calls.size(), calls.toString());
            for (RecordingServer.Received r : calls) {
                assertEquals(List.of(), r.traceHeaders, "nothing could be forwarded: " + r);
            }
            assertEquals("null null false", executor.submit(() -> Context.current() + " " + MDC.get("amzn.trace.id")
                    + " " + ServerEntry.inside()).get(10, TimeUnit.SECONDS), "nothing is left on the server thread");

            // with the identifier source back, the same thread enters requests again
            Front.Called after = front.call("/front", null);
            assertEquals("Root=" + Trace.assertForwarded("Root={NEW}", null, after.responseTraceHeader).get(0),
                    after.responseTraceHeader);
            assertFalse(seen.get(2).startsWith("null"), seen.toString());
        } finally {
            Config.install(previous);
        }
    }
}

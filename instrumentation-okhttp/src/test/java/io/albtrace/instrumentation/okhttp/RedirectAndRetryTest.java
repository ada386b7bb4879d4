package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC 3: what OkHttp sends again on its own keeps the value of the request it derives from. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class RedirectAndRetryTest extends OkHttpTestSupport {

    @Test
    void aRedirectKeepsTheValue() throws Exception {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().add("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", execute(request("/from").build()));
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        assertEquals("/from", all.get(0).path);
        assertEquals("/to", all.get(1).path);
        Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        assertEquals(all.get(0).traceHeader(), all.get(1).traceHeader());
    }

    @Test
    void aRedirectOfARequestWithItsOwnHeaderKeepsTheValue() throws Exception {
        server.answer("/from", (exchange, count) -> {
            exchange.getResponseHeaders().add("Location", "/to");
            exchange.sendResponseHeaders(302, -1);
        });
        execute(request("/from").header(Trace.NAME, "CalledFrom=app").build());
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        Trace.assertForwarded("Root={NEW};CalledFrom=app", null, all.get(0).traceHeader());
        assertEquals(all.get(0).traceHeader(), all.get(1).traceHeader());
    }

    @Test
    void okHttpsOwnRetryOn408KeepsTheValue() throws Exception {
        server.answer("/flaky", (exchange, count) -> {
            if (count == 1) {
                exchange.sendResponseHeaders(408, -1);
            } else {
                RecordingServer.ok(exchange, "ok");
            }
        });
        assertEquals("ok", execute(request("/flaky").build()));
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        assertEquals("/flaky", all.get(1).path);
        Trace.assertForwarded("Root={NEW}", null, all.get(0).traceHeader());
        assertEquals(all.get(0).traceHeader(), all.get(1).traceHeader());
        assertEquals(null, Context.current());
    }
}

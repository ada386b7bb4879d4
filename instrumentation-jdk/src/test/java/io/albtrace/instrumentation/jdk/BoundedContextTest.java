package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

/**
 * The bounded context (SPEC 4.5) through the JDK's {@code HttpServer}: real requests from a plain socket, with a
 * header far over {@code albtrace.max.header.bytes} or exactly at it. The handler records its context and its log
 * MDC, hands a task to a pool, and both call a real back service; the response carries the trace header
 * ({@code albtrace.response.header=true}). Each is asserted exactly.
 */
@ExtendWith(InstalledAgent.class)
class BoundedContextTest {

    static final String ROOT = "Root=" + Trace.ROOT;
    static final String SELF = "Self=1-63441c4a-12456789abcdef012345678";

    RecordingServer back;
    Front front;
    ExecutorService pool;
    /** Per request: the handler's context, its MDC (root and id), and the pool task's context and MDC id. */
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    Config previous;

    record Seen(String context, String mdcRoot, String mdcId, String taskContext, String taskMdcId) {
    }

    @BeforeEach
    void start() throws IOException {
        back = new RecordingServer();
        pool = Executors.newFixedThreadPool(1);
        front = new Front(Executors.newSingleThreadExecutor(), null);
        front.handle("/front", exchange -> {
            try {
                String[] task = pool.submit(() -> {
                    Front.connectionGet(back.url("/from-task"));
                    return new String[] {String.valueOf(Context.current()), MDC.get("amzn.trace.id")};
                }).get(20, TimeUnit.SECONDS);
                seen.add(new Seen(String.valueOf(Context.current()), MDC.get("amzn.trace.root"),
                        MDC.get("amzn.trace.id"), task[0], task[1]));
                assertEquals(200, Front.clientGet(back.url("/from-handler")));
            } catch (Exception e) {
                throw new IOException(e);
            }
            Front.respond(exchange, 200, "ok");
        });
        previous = configure(null);
    }

    /** Installs settings with the response header on and, when not null, this {@code albtrace.max.header.bytes}. */
    static Config configure(Integer maxHeaderBytes) {
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        if (maxHeaderBytes != null) {
            p.setProperty(Config.MAX_HEADER_BYTES, maxHeaderBytes.toString());
        }
        return Config.install(Config.load(p, Map.of()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        Config.install(previous);
        try {
            front.close();
        } finally {
            back.close();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * Sends {@code header}; asserts that the handler, its MDC, the pool's task and the response all had
     * {@code expected} (a template: {NEW} is a fresh Root), that both calls forwarded {@code forwarded} (its
     * {ROOT} the context's Root field), and returns the context.
     */
    String assertRequest(String header, String expected, String forwarded) throws Exception {
        seen.clear();
        int before = back.received().size();
        Front.Called r = front.call("/front", header);
        assertEquals(200, r.code);
        assertEquals(1, seen.size());
        Seen s = seen.get(0);
        String context = s.context();
        Trace.assertForwarded(expected, null, context);
        String root = Trace.rootOf(context);
        Seen all = new Seen(context, root, context, context, context);
        assertTrue(all.equals(s), () -> "the MDC, and the task handed to the pool, have the same bounded context: "
                + describe(s) + " expected " + describe(all));
        assertEquals("Root=" + root, r.responseTraceHeader);
        List<RecordingServer.Received> calls = back.received().subList(before, back.received().size());
        assertEquals(2, calls.size());
        for (RecordingServer.Received call : calls) {
            Trace.assertForwarded(forwarded.replace("{ROOT}", "Root=" + root), context, call.traceHeader());
        }
        return context;
    }

    /** What a request saw, with long values shown by their length and start. */
    static String describe(Seen s) {
        return List.of(s.context(), String.valueOf(s.mdcRoot()), String.valueOf(s.mdcId()), s.taskContext(),
                String.valueOf(s.taskMdcId())).stream()
                .map(v -> v.length() > 120 ? v.substring(0, 100) + "...(" + v.length() + ")" : v).toList().toString();
    }

    @Test
    void aSixtyKilobyteHeaderIsTheRootAlone() throws Exception {
        String big = ";Big=" + "x".repeat(60 * 1024);
        assertRequest(SELF + ";" + ROOT + big, ROOT, "Self={NEW};{ROOT}");
        assertRequest("Root=1-bad" + big, "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void tenThousandFieldsAreTheRootAlone() throws Exception {
        assertRequest(ROOT + Trace.customFields(10_000), ROOT, "Self={NEW};{ROOT}");
        assertRequest(Trace.customFields(10_000).substring(1), "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void exactlyAtTheDefaultBoundIsKeptOneByteOverIsTheRootAlone() throws Exception {
        String at = SELF + ";" + ROOT + ";Pad=" + "p".repeat(7168 - SELF.length() - ROOT.length() - 6);
        assertEquals(7168, at.length());
        // kept whole; what leaves is over 7 KB with its Self and the other headers, so the size rule applies there
        assertRequest(at, at, "{ROOT}");
        assertRequest(at + "q", ROOT, "Self={NEW};{ROOT}");
        // no valid Root: counted with the new Root that takes its place
        String customs = "Pad=" + "p".repeat(7168 - 5 - Trace.ROOT.length() - 5);
        assertRequest("Root=1-bad;" + customs, "Root={NEW};" + customs, "{ROOT}");
        assertRequest("Root=1-bad;" + customs + "q", "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void exactlyAtAConfiguredBoundIsKeptOneByteOverIsTheRootAlone() throws Exception {
        configure(600);
        String at = ROOT + ";Pad=" + "p".repeat(600 - ROOT.length() - 5);
        assertRequest(at, at, "{ROOT}");
        assertRequest(at + "q", ROOT, "Self={NEW};{ROOT}");
        assertRequest(ROOT + ";K=v", ROOT + ";K=v", "Self={NEW};{ROOT};K=v");
    }

    @Test
    void theNextRequestOnThePooledThreadsHasItsOwnContext() throws Exception {
        assertRequest(ROOT + Trace.customFields(10_000), ROOT, "Self={NEW};{ROOT}");
        String other = "Root=1-11111111-111111111111111111111111;K=v";
        assertRequest(other, other, "Self={NEW};Root=1-11111111-111111111111111111111111;K=v");
        String fresh = assertRequest(null, "Root={NEW}", "Self={NEW};{ROOT}");
        assertTrue(!fresh.contains(Trace.ROOT) && !fresh.contains("1-11111111"), fresh);
    }
}

package io.albtrace.instrumentation.undertow;

import io.albtrace.testing.KeptAlive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.testing.Trace;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undertow's threads: a handler that answers on the I/O thread, one that a {@code BlockingHandler} dispatches to a
 * worker, and one that hands a task to {@code exchange.dispatch(Runnable)}, each answering what it saw (the context
 * and the log MDC). Requests on one kept-alive connection each get their own context; many requests with distinct
 * Roots in flight together over 2 I/O threads and 4 workers each see only their own; afterwards no I/O thread and no
 * worker holds anything.
 */
@ExtendWith(InstalledAgent.class)
class UndertowThreadsTest {

    private static UndertowServer server;

    /** Answers {@code observe()} where the request's code runs: the I/O thread, a worker, or a dispatched task. */
    static final HttpHandler HANDLER = new HttpHandler() {
        private final HttpHandler blocking = new BlockingHandler(exchange -> {
            Thread.sleep(2); // a little work on the worker, so that requests overlap
            answer(exchange);
        });

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            String path = exchange.getRequestPath();
            if (path.startsWith("/io/")) {
                answer(exchange);
            } else if (path.startsWith("/worker/")) {
                blocking.handleRequest(exchange);
            } else {
                exchange.dispatch(() -> answer(exchange));
            }
        }
    };

    static void answer(HttpServerExchange exchange) {
        exchange.getResponseSender().send(ServerEntryContract.observe() + " | "
                + (exchange.isInIoThread() ? "io" : "worker"));
    }

    @BeforeAll
    static void start() {
        server = new UndertowServer(HANDLER);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What a request with context {@code context} sees on {@code where}. */
    private static String seen(String context, String where) {
        return context + " | " + Trace.rootOf(context) + " | " + context + " | " + where;
    }

    private static String root(int i) {
        return String.format("Root=1-%08x-%024x", 0x5f000000 + i, i);
    }

    @Test
    void eachRequestOnAKeptAliveConnectionHasItsOwnContext() throws Exception {
        try (KeptAlive connection = new KeptAlive(server.port())) {
            assertEquals(seen(ServerEntryContract.FULL, "io"), connection.get("/io/1", ServerEntryContract.FULL));
            assertEquals(seen(root(1), "worker"), connection.get("/worker/2", root(1)));
            assertEquals(seen(root(2) + ";K=v", "worker"), connection.get("/task/3", root(2) + ";K=v"));
            // no header: a Root of its own each time, never the one before
            String a = connection.get("/io/4", null);
            String b = connection.get("/worker/5", null);
            String c = connection.get("/task/6", null);
            Set<String> roots = new HashSet<>();
            for (String answer : List.of(a, b, c)) {
                String context = answer.substring(0, answer.indexOf(" | "));
                Trace.assertForwarded("Root={NEW}", null, context);
                assertTrue(roots.add(context), "a new Root each: " + List.of(a, b, c));
                assertNotEquals(root(2) + ";K=v", context);
            }
            assertEquals(seen(ServerEntryContract.FULL, "io"), connection.get("/io/7", ServerEntryContract.FULL));
        }
        assertEquals(List.of(), held(), "nothing on the I/O threads or the workers");
    }

    @Test
    void requestsWithDistinctRootsInFlightTogetherEachSeeOnlyTheirOwn() throws Exception {
        int connections = 8;
        int each = 60;
        ExecutorService balancers = Executors.newFixedThreadPool(connections);
        try {
            List<Future<List<String>>> wrong = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int first = c * each;
                wrong.add(balancers.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    try (KeptAlive connection = new KeptAlive(server.port())) {
                        for (int i = first; i < first + each; i++) {
                            String kind = i % 3 == 0 ? "io" : i % 3 == 1 ? "worker" : "task";
                            String answer = connection.get("/" + kind + "/" + i, root(i));
                            String expected = seen(root(i), kind.equals("io") ? "io" : "worker");
                            if (!answer.equals(expected)) {
                                problems.add(expected + " != " + answer);
                            }
                        }
                    }
                    return problems;
                }));
            }
            for (Future<List<String>> f : wrong) {
                assertEquals(List.of(), f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            balancers.shutdownNow();
        }
        assertEquals(List.of(), held(), "nothing on the I/O threads or the workers");
        assertEquals(UndertowServer.IO_THREADS, server.ioThreadsSeen.size(), server.ioThreadsSeen::toString);
    }

    @Test
    void eachRequestHasOneHopLogLineWhereverItsCodeRan() throws Exception {
        String trace = "Root=" + Trace.ROOT;
        List<String> lines = ServerEntryContract.withHopLog(3, () -> {
            try (KeptAlive connection = new KeptAlive(server.port())) {
                connection.get("/io/h", trace);
                connection.get("/worker/h", trace);
                connection.get("/task/h?q=1", trace);
            }
        });
        String host = "127.0.0.1:" + server.port();
        List<String> sorted = new ArrayList<>(lines);
        java.util.Collections.sort(sorted);
        assertEquals(List.of(
                ServerEntryContract.inLine(Trace.ROOT, null, host, "/io/h", 200, trace),
                ServerEntryContract.inLine(Trace.ROOT, null, host, "/task/h", 200, trace),
                ServerEntryContract.inLine(Trace.ROOT, null, host, "/worker/h", 200, trace)), sorted);
    }

    /** A request without a Host header: its hop log line has the name the server gives itself, and the port. */
    @Test
    void withoutAHostHeaderTheHopLogLineHasTheServersName() throws Exception {
        String[] answer = new String[1];
        List<String> lines = ServerEntryContract.withHopLog(1,
                () -> answer[0] = KeptAlive.withoutHost(server.port(), "/io/nohost"));
        assertTrue(answer[0].startsWith("HTTP/1.0 200 ") || answer[0].startsWith("HTTP/1.1 200 "), answer[0]);
        String context = answer[0].substring(answer[0].indexOf("\r\n\r\n") + 4);
        context = context.substring(0, context.indexOf(" | "));
        assertEquals(List.of(ServerEntryContract.inLine(Trace.rootOf(context), null, "127.0.0.1:" + server.port(),
                "/io/nohost", 200, null)), lines);
    }

    /** What the server's threads hold that is not nothing. */
    private static List<String> held() throws Exception {
        assertEquals(null, Context.current());
        List<String> held = new ArrayList<>(server.threadsNow());
        held.removeIf("null | null | null"::equals);
        return held;
    }
}

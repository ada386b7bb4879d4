package io.albtrace.instrumentation.jetty.server;

import io.albtrace.testing.KeptAlive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jetty 12's core handlers, a {@code ContextHandler} around a {@code Handler.Wrapper} around the application's
 * {@code Handler.Abstract}, each request answered in one of three ways with what its code saw (context and log MDC):
 * on the handler's thread ({@code /sync}); later, from a task the handler gave the application's pool ({@code /later},
 * the callback completed there); from a demand callback ({@code /demand}: {@code Request.demand} called from a thread
 * with no context, the callback run by Jetty). The wrapper records what it sees too. Requests on one kept-alive
 * connection each get their own context; many with distinct Roots in flight together each see only their own; the
 * pool's threads hold nothing before or after any task.
 */
@ExtendWith(InstalledAgent.class)
class JettyServerThreadsTest {

    private static JettyServer server;
    private static final ExecutorService APP = Executors.newFixedThreadPool(4);

    /** What the application's code sees here, and what the wrapper around it saw: the body of every answer. */
    static String seen(Request request) {
        return ServerEntryContract.observe() + " # " + request.getAttribute("wrapper");
    }

    @BeforeAll
    static void start() throws Exception {
        Handler.Abstract app = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                if (path.startsWith("/sync/")) {
                    JettyServer.answer(response, callback, 200, seen(request));
                } else if (path.startsWith("/later/")) {
                    APP.execute(() -> {
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        JettyServer.answer(response, callback, 200, seen(request));
                    });
                } else {
                    APP.execute(() -> {
                        try (Scope none = Context.bind(null)) {
                            request.demand(() -> {
                                request.read(); // the end of the (empty) content
                                JettyServer.answer(response, callback, 200, seen(request));
                            });
                        }
                    });
                }
                return true;
            }
        };
        Handler.Wrapper wrapper = new Handler.Wrapper(app) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                request.setAttribute("wrapper", ServerEntryContract.observe());
                return super.handle(request, response, callback);
            }
        };
        ContextHandler context = new ContextHandler(wrapper, "/");
        server = new JettyServer(context);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        APP.shutdownNow();
    }

    private static String seen(String context) {
        String one = context + " | " + Trace.rootOf(context) + " | " + context;
        return one + " # " + one;
    }

    private static String root(int i) {
        return String.format("Root=1-%08x-%024x", 0x6a000000 + i, i);
    }

    @Test
    void eachRequestOnAKeptAliveConnectionHasItsOwnContext() throws Exception {
        try (KeptAlive connection = new KeptAlive(server.port())) {
            assertEquals(seen(ServerEntryContract.FULL), connection.get("/sync/1", ServerEntryContract.FULL));
            assertEquals(seen(root(1)), connection.get("/later/2", root(1)));
            assertEquals(seen(root(2) + ";K=v"), connection.get("/demand/3", root(2) + ";K=v"));
            Set<String> roots = new HashSet<>();
            for (String path : List.of("/sync/4", "/later/5", "/demand/6")) {
                String answer = connection.get(path, null);
                String context = answer.substring(0, answer.indexOf(" | "));
                Trace.assertForwarded("Root={NEW}", null, context);
                assertEquals(seen(context), answer);
                assertTrue(roots.add(context), "a new Root each: " + roots);
            }
            assertEquals(seen(ServerEntryContract.FULL), connection.get("/sync/7", ServerEntryContract.FULL));
        }
        assertEquals(List.of(), held(), "nothing on the pool's threads");
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
                            String kind = i % 3 == 0 ? "sync" : i % 3 == 1 ? "later" : "demand";
                            String answer = connection.get("/" + kind + "/" + i, root(i));
                            if (!answer.equals(seen(root(i)))) {
                                problems.add(kind + ": " + seen(root(i)) + " != " + answer);
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
        assertEquals(List.of(), held(), "nothing on the pool's threads");
    }

    /** A request without a Host header: its hop log line has the name the server gives itself, and the port. */
    @Test
    void withoutAHostHeaderTheHopLogLineHasTheServersName() throws Exception {
        String[] answer = new String[1];
        List<String> lines = ServerEntryContract.withHopLog(1,
                () -> answer[0] = KeptAlive.withoutHost(server.port(), "/sync/nohost"));
        assertTrue(answer[0].startsWith("HTTP/1.0 200 ") || answer[0].startsWith("HTTP/1.1 200 "), answer[0]);
        String context = answer[0].substring(answer[0].indexOf("\r\n\r\n") + 4);
        context = context.substring(0, context.indexOf(" | "));
        assertEquals(List.of(ServerEntryContract.inLine(Trace.rootOf(context), null, "127.0.0.1:" + server.port(),
                "/sync/nohost", 200, null)), lines);
    }

    /** What the pool's threads held, before or after a task, that is not nothing. */
    private static List<String> held() throws Exception {
        assertEquals(null, Context.current());
        List<String> held = new ArrayList<>(server.threadsNow());
        assertTrue(held.size() > 10, "the pool's threads were read: " + held.size());
        held.removeIf("null | null | null"::equals);
        return held;
    }
}

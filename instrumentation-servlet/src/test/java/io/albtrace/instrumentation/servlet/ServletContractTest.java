package io.albtrace.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.albtrace.contracts.Balancer;
import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Config;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The servlet container as a server entry point (SPEC 4): the server entry contract ({@link ServerEntryContract}) and
 * what only servlet containers have, one class for every container and version: the pom runs it once per container
 * (Tomcat 9, 10.1 and 11, Jetty 9.4, 10, 11, 12 ee10, ee9 and ee8), each with its own jars, on JDK 17 and on Temurin
 * 25. A real container on 127.0.0.1 with the real instrumentation installed; the contract's application runs as
 * servlets ({@link JavaxApp}) behind the application's filter, which sees the same context
 * ({@code filter-REQUEST}); the container's request listener tells what its threads hold before and after each
 * request. Here besides: forwards and includes bind once, the three asynchronous ways, the response header once for a
 * forwarded or dispatched request, and the agent silent while the container starts and serves.
 */
@ExtendWith(InstalledAgent.class)
class ServletContractTest extends ServerEntryContract {

    static PrintStream stderr;
    /** What was written to stderr from the container's start to its stop, the agent's warnings included. */
    static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

    /** Before the contract starts the container (at its first test). */
    @BeforeAll
    static void captureStderr() {
        stderr = System.err;
        System.setErr(new PrintStream(new FilterOutputStream(stderr) {
            @Override
            public void write(int b) throws IOException {
                super.write(b);
                synchronized (ERR) {
                    ERR.write(b);
                }
            }
        }, true));
    }

    /**
     * The agent had nothing to say while the container's classes were changed and its requests served: no advice
     * failed (but where the contract made the identifier source fail on purpose), and the namespace the container
     * does not use (javax or jakarta) was not reported missing.
     */
    @AfterAll
    static void theAgentSaidNothing() {
        System.setErr(stderr);
        String said;
        synchronized (ERR) {
            said = ERR.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(List.of(), said.lines().filter(l -> l.startsWith("[albtrace]"))
                .filter(l -> !l.contains("broken id source (test)")).collect(Collectors.toList()), Container.NAME);
    }

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            Container container = Container.start();
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return container.url(path);
                }

                /** The request listener's requestDestroyed runs on the container's thread after the entry closed. */
                @Override
                public void settle() throws Exception {
                    awaitEvent("request-destroyed");
                }

                @Override
                public List<String> threadsNow() {
                    List<String> all = new ArrayList<>(ServerEntryContract.at("request-initialized"));
                    all.addAll(ServerEntryContract.at("request-destroyed"));
                    return all;
                }

                @Override
                public void close() throws Exception {
                    container.close();
                }
            };
        };
    }

    @Override
    protected List<String> outerPlaces() {
        return List.of("filter-REQUEST");
    }

    @Override
    public String toString() {
        return Container.NAME;
    }

    String onlyBackCall(String path) {
        List<RecordingServer.Received> all = backCalls();
        assertEquals(1, all.size(), () -> Container.NAME + ": one call to the back service expected: " + all);
        assertEquals(path, all.get(0).path);
        return all.get(0).traceHeader();
    }

    static void awaitEvent(String where) throws InterruptedException {
        for (int i = 0; i < 500 && Recorder.at(where).isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertFalse(Recorder.at(where).isEmpty(), () -> "no " + where + " in " + ServerEntryContract.at(where));
    }

    @Test
    void aForwardBindsOnce() throws Exception {
        boundOnce("/forward", "filter-REQUEST", "forward", "filter-FORWARD", "front");
    }

    @Test
    void anIncludeBindsOnce() throws Exception {
        boundOnce("/include", "filter-REQUEST", "include", "filter-INCLUDE", "front");
    }

    /**
     * A request without a header (so a second binding would make a second Root) through a filter and nested
     * servlets: each of {@code places} saw the one context, and the back service the one Root.
     */
    void boundOnce(String path, String... places) throws Exception {
        Balancer.Answer answer = call(path, null);
        String root = Trace.assertForwarded("Root={NEW}", null, answer.body).get(0);
        for (String place : places) {
            assertEquals(List.of(answer.body), Recorder.at(place), place);
        }
        List<RecordingServer.Received> calls = backCalls();
        assertEquals(List.of("/back/front/client", "/back/front/connection"),
                calls.stream().map(c -> c.path).collect(Collectors.toList()));
        for (RecordingServer.Received c : calls) {
            Trace.assertForwarded("Self={NEW};Root=" + root, answer.body, c.traceHeader());
        }
        nothingOnTheServersThreads();
    }

    /**
     * The hop log (SPEC 8): one {@code in} line per request, however many passes it takes (a forward, an asynchronous
     * dispatch), made when it completes: for an asynchronous request, with the status it completed with.
     */
    @Test
    void theHopLogHasOneLinePerRequestWhenItCompletes() throws Exception {
        Balancer.Answer[] answers = new Balancer.Answer[5];
        List<String> lines = withHopLog(5, () -> {
            answers[0] = call("/async-start", FULL);
            answers[1] = call("/async-dispatch", null);
            answers[2] = call("/async-complete", "Root=" + Trace.ROOT);
            answers[3] = call("/async-status?x=1", "Root=" + Trace.ROOT);
            answers[4] = call("/forward", FULL);
        });
        assertEquals(207, answers[3].status, answers[3]::toString);
        assertEquals("late", answers[3].body);
        String self = "1-63441c4a-12456789abcdef012345678";
        List<String> expected = new ArrayList<>(List.of(
                inLine(Trace.ROOT, self, hostPort(), "/async-start", 200, FULL),
                inLine(Trace.rootOf(answers[1].body), null, hostPort(), "/async-dispatch", 200, null),
                inLine(Trace.ROOT, null, hostPort(), "/async-complete", 200, "Root=" + Trace.ROOT),
                inLine(Trace.ROOT, null, hostPort(), "/async-status", 207, "Root=" + Trace.ROOT),
                inLine(Trace.ROOT, self, hostPort(), "/forward", 200, FULL)));
        List<String> sorted = new ArrayList<>(lines);
        Collections.sort(expected);
        Collections.sort(sorted);
        assertEquals(expected, sorted, Container.NAME);
    }

    @Test
    void asyncStartRunsTheTaskWithTheRequestsContext() throws Exception {
        Balancer.Answer answer = call("/async-start", FULL);
        assertEquals(200, answer.status, answer::toString);
        assertEquals(FULL, answer.body, "the task that completes the request has its context");
        assertEquals(List.of(FULL), Recorder.at("async-task"));
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", FULL,
                onlyBackCall("/back/async-task"));
        nothingOnTheServersThreads();
        noLeakAfterwards();
    }

    /**
     * {@code AsyncContext.start} called by a thread of the application's that has no context: the task runs with the
     * context the request kept at its first pass (here a Root made for a request that came without a header).
     */
    @Test
    void asyncStartFromAThreadWithoutAContextRunsTheTaskWithTheRequestsContext() throws Exception {
        Balancer.Answer answer = call("/async-start-elsewhere", null);
        assertEquals(200, answer.status, answer::toString);
        Trace.assertForwarded("Root={NEW}", null, answer.body);
        assertEquals(List.of("null"), Recorder.at("elsewhere-starter"));
        assertEquals(List.of(answer.body), Recorder.at("elsewhere-task"));
        Trace.assertForwarded("Self={NEW};" + answer.body, answer.body, onlyBackCall("/back/elsewhere-task"));
        nothingOnTheServersThreads();
        noLeakAfterwards();
    }

    @Test
    void anAsyncDispatchBindsTheSameContextAsTheFirstPass() throws Exception {
        Balancer.Answer answer = call("/async-dispatch", null); // no header: the Root made first is kept
        String root = Trace.assertForwarded("Root={NEW}", null, answer.body).get(0);
        assertEquals(List.of(answer.body), Recorder.at("before-dispatch"));
        // the application's own thread, started while serving the request, carries its context (the executors
        // instrumentation: a thread started from a bound thread); the dispatch itself runs on a container thread
        assertEquals(List.of(answer.body), Recorder.at("dispatching-thread"), "the thread started by the request");
        assertEquals(List.of(answer.body), Recorder.at("dispatched"));
        assertEquals(List.of(answer.body), Recorder.at("filter-REQUEST"));
        assertEquals(List.of(answer.body), Recorder.at("filter-ASYNC"));
        Trace.assertForwarded("Self={NEW};Root=" + root, answer.body, onlyBackCall("/back/dispatched"));
        nothingOnTheServersThreads();
        noLeakAfterwards();
    }

    @Test
    void completeFromAnotherThread() throws Exception {
        Balancer.Answer answer = call("/async-complete", "Root=" + Trace.ROOT);
        assertEquals(200, answer.status);
        assertEquals("completed", answer.body);
        assertEquals(List.of("Root=" + Trace.ROOT), Recorder.at("before-complete"));
        assertEquals(List.of("Root=" + Trace.ROOT), Recorder.at("completing-thread"),
                "a thread started while serving the request carries its context while the request is asynchronous");
        for (int i = 0; i < 1000 && Recorder.at("completing-thread-after").isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(Collections.singletonList("null"), Recorder.at("completing-thread-after"),
                "the thread kept the context after the request completed");
        nothingOnTheServersThreads();
        noLeakAfterwards();
    }

    /** Requests without a header after asynchronous work: each a fresh Root, nothing on the container's threads. */
    void noLeakAfterwards() throws Exception {
        List<String> roots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Recorder.clear();
            Balancer.Answer next = call("/front", null);
            roots.add(Trace.assertForwarded("Root={NEW}", "Root=" + Trace.ROOT, next.body).get(0));
            nothingOnTheServersThreads();
        }
        assertEquals(3, java.util.Set.copyOf(roots).size(), roots::toString);
    }

    @Test
    void theResponseHeaderOnceForAForwardedOrADispatchedRequest() throws Exception {
        Config previous = configure(null);
        try {
            Balancer.Answer forwarded = call("/forward", "Root=" + Trace.ROOT);
            assertEquals(List.of("Root=" + Trace.ROOT), forwarded.traceHeaders, "once, forwarded or not");
            Balancer.Answer dispatched = call("/async-dispatch", null);
            String dispatchedRoot = Trace.assertForwarded("Root={NEW}", null, dispatched.body).get(0);
            assertEquals(List.of("Root=" + dispatchedRoot), dispatched.traceHeaders, "once, for the first pass");
        } finally {
            Config.install(previous);
        }
    }
}

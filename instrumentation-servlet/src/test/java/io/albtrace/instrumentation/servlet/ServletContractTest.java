package io.albtrace.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The servlet container as a server entry point (SPEC 4), one contract for every container and version: the pom
 * runs this class once per container (Tomcat 9, 10.1 and 11, Jetty 9.4, 11 and 12 ee10), each with its own jars,
 * on JDK 17 and on Temurin 25. A real container on 127.0.0.1 with the real instrumentation installed; a plain socket
 * plays the load balancer; the servlets call a real back service (the JDK's {@code HttpServer}) that records the
 * exact header it received.
 */
@ExtendWith(InstalledAgent.class)
class ServletContractTest {

    static final String FULL = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";CalledFrom=lb";

    static RecordingServer back;
    static Container container;
    static PrintStream stderr;
    /** What was written to stderr from the container's start to its stop, the agent's warnings included. */
    static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
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
        back = new RecordingServer();
        Recorder.back = back.url("");
        container = Container.start();
    }

    /**
     * The agent had nothing to say while the container's classes were changed and its requests served: no advice
     * failed, and the namespace the container does not use (javax or jakarta) was not reported missing.
     */
    @AfterAll
    static void stop() throws Exception {
        try {
            if (container != null) {
                container.close();
            }
        } finally {
            back.close();
            System.setErr(stderr);
        }
        String said;
        synchronized (ERR) {
            said = ERR.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(List.of(), said.lines().filter(l -> l.startsWith("[albtrace]")).toList(), Container.NAME);
    }

    int calls;

    @BeforeEach
    void clear() {
        Recorder.clear();
        calls = back.received().size();
    }

    Balancer.Answer get(String path, String header) throws Exception {
        Balancer.Answer answer = Balancer.get(container.url(path), header);
        // the request listener's requestDestroyed runs on the container's thread after the entry has closed
        awaitEvent("request-destroyed");
        return answer;
    }

    /** The calls the back service received since this test began. */
    List<RecordingServer.Received> backCalls() {
        List<RecordingServer.Received> all = back.received();
        return all.subList(calls, all.size());
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
        assertFalse(Recorder.at(where).isEmpty(), () -> "no " + where + " in " + Recorder.EVENTS);
    }

    /** Before and after the request, on the container's own thread, nothing was bound. */
    static void nothingOnTheContainerThreads() {
        assertEquals(Collections.singletonList("null"), new ArrayList<>(java.util.Set.copyOf(
                concat(Recorder.at("request-initialized"), Recorder.at("request-destroyed")))),
                () -> Container.NAME + ": " + Recorder.EVENTS);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aFullHeaderIsTheContextAsReceivedAndTheCallGetsANewSelf() throws Exception {
        Balancer.Answer answer = get("/front", FULL);
        assertEquals(200, answer.status, answer::toString);
        assertEquals(FULL, answer.body, "the context is the incoming fields as received, Self included");
        assertEquals(List.of(FULL), Recorder.at("filter-REQUEST"), "the application's filter sees it too");
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", FULL, onlyBackCall("/back/front"));
        assertEquals(List.of(Trace.ROOT + " " + FULL), Recorder.MDC, "the log MDC while the servlet runs");
        assertEquals(List.of(), answer.traceHeaders, "responses are not changed by default");
        nothingOnTheContainerThreads();
    }

    @Test
    void aRootOnlyHeaderIsKept() throws Exception {
        Balancer.Answer answer = get("/front", "Root=" + Trace.ROOT);
        assertEquals("Root=" + Trace.ROOT, answer.body);
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT, null, onlyBackCall("/back/front"));
    }

    @Test
    void noHeaderANewRoot() throws Exception {
        Balancer.Answer answer = get("/front", null);
        String root = Trace.assertForwarded("Root={NEW}", null, answer.body).get(0);
        Trace.assertForwarded("Self={NEW};Root=" + root, answer.body, onlyBackCall("/back/front"));
        assertEquals(List.of(root + " Root=" + root), Recorder.MDC);
        nothingOnTheContainerThreads();
    }

    @Test
    void anInvalidRootIsReplacedAndMalformedPartsDropped() throws Exception {
        Balancer.Answer answer = get("/front", "Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;"
                + "odd name=x;Sampled=1;;Parent=53995c3f42cd8ad8");
        String root = Trace.assertForwarded("Root={NEW};Sampled=1;Parent=53995c3f42cd8ad8", null, answer.body)
                .get(0);
        Trace.assertForwarded("Self={NEW};Root=" + root + ";Sampled=1;Parent=53995c3f42cd8ad8", answer.body,
                onlyBackCall("/back/front"));
    }

    @Test
    void aPooledThreadCarriesNothingIntoTheNextRequest() throws Exception {
        assertEquals("Root=" + Trace.ROOT, get("/front", "Root=" + Trace.ROOT).body);
        for (int i = 0; i < 3; i++) {
            Balancer.Answer next = get("/front", null);
            Trace.assertForwarded("Root={NEW}", "Root=" + Trace.ROOT, next.body);
        }
        List<RecordingServer.Received> all = backCalls();
        assertEquals(4, all.size());
        for (RecordingServer.Received call : all.subList(1, 4)) {
            assertFalse(call.traceHeader().contains(Trace.ROOT), call::toString);
        }
        nothingOnTheContainerThreads();
        assertEquals(null, Context.current(), "nor on the test's thread");
    }

    @Test
    void aThrowingServletStillRemovesTheContext() throws Exception {
        Balancer.Answer answer = get("/throws", "Root=" + Trace.ROOT);
        assertEquals(500, answer.status);
        assertEquals(List.of("Root=" + Trace.ROOT), Recorder.at("throws"));
        nothingOnTheContainerThreads();
        Recorder.clear();
        Balancer.Answer next = get("/front", null);
        Trace.assertForwarded("Root={NEW}", "Root=" + Trace.ROOT, next.body);
        nothingOnTheContainerThreads();
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
        Balancer.Answer answer = get(path, null);
        String root = Trace.assertForwarded("Root={NEW}", null, answer.body).get(0);
        for (String place : places) {
            assertEquals(List.of(answer.body), Recorder.at(place), place);
        }
        Trace.assertForwarded("Self={NEW};Root=" + root, answer.body, onlyBackCall("/back/front"));
        nothingOnTheContainerThreads();
    }

    @Test
    void asyncStartRunsTheTaskWithTheRequestsContext() throws Exception {
        Balancer.Answer answer = get("/async-start", FULL);
        assertEquals(200, answer.status, answer::toString);
        assertEquals(FULL, answer.body, "the task that completes the request has its context");
        assertEquals(List.of(FULL), Recorder.at("async-task"));
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", FULL,
                onlyBackCall("/back/async-task"));
        nothingOnTheContainerThreads();
        noLeakAfterwards();
    }

    /**
     * {@code AsyncContext.start} called by a thread of the application's that has no context: the task runs with the
     * context the request kept at its first pass (here a Root made for a request that came without a header).
     */
    @Test
    void asyncStartFromAThreadWithoutAContextRunsTheTaskWithTheRequestsContext() throws Exception {
        Balancer.Answer answer = get("/async-start-elsewhere", null);
        assertEquals(200, answer.status, answer::toString);
        Trace.assertForwarded("Root={NEW}", null, answer.body);
        assertEquals(List.of("null"), Recorder.at("elsewhere-starter"));
        assertEquals(List.of(answer.body), Recorder.at("elsewhere-task"));
        Trace.assertForwarded("Self={NEW};" + answer.body, answer.body, onlyBackCall("/back/elsewhere-task"));
        nothingOnTheContainerThreads();
        noLeakAfterwards();
    }

    @Test
    void anAsyncDispatchBindsTheSameContextAsTheFirstPass() throws Exception {
        Balancer.Answer answer = get("/async-dispatch", null); // no header: the Root made first is kept
        String root = Trace.assertForwarded("Root={NEW}", null, answer.body).get(0);
        assertEquals(List.of(answer.body), Recorder.at("before-dispatch"));
        // the application's own thread, started while serving the request, carries its context (the executors
        // instrumentation: a thread started from a bound thread); the dispatch itself runs on a container thread
        assertEquals(List.of(answer.body), Recorder.at("dispatching-thread"), "the thread started by the request");
        assertEquals(List.of(answer.body), Recorder.at("dispatched"));
        assertEquals(List.of(answer.body), Recorder.at("filter-REQUEST"));
        assertEquals(List.of(answer.body), Recorder.at("filter-ASYNC"));
        Trace.assertForwarded("Self={NEW};Root=" + root, answer.body, onlyBackCall("/back/dispatched"));
        nothingOnTheContainerThreads();
        noLeakAfterwards();
    }

    @Test
    void completeFromAnotherThread() throws Exception {
        Balancer.Answer answer = get("/async-complete", "Root=" + Trace.ROOT);
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
        nothingOnTheContainerThreads();
        noLeakAfterwards();
    }

    /** Requests without a header after asynchronous work: each a fresh Root, nothing on the container's threads. */
    void noLeakAfterwards() throws Exception {
        List<String> roots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Recorder.clear();
            Balancer.Answer next = get("/front", null);
            roots.add(Trace.assertForwarded("Root={NEW}", "Root=" + Trace.ROOT, next.body).get(0));
            nothingOnTheContainerThreads();
        }
        assertEquals(3, java.util.Set.copyOf(roots).size(), roots::toString);
    }

    @Test
    void theResponseHeaderWhenAskedFor() throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            assertEquals(List.of("Root=" + Trace.ROOT), get("/front", FULL).traceHeaders);
            Balancer.Answer none = get("/front", null);
            String root = Trace.assertForwarded("Root={NEW}", null, none.body).get(0);
            assertEquals(List.of("Root=" + root), none.traceHeaders);
            Balancer.Answer forwarded = get("/forward", "Root=" + Trace.ROOT);
            assertEquals(List.of("Root=" + Trace.ROOT), forwarded.traceHeaders, "once, forwarded or not");
            Balancer.Answer dispatched = get("/async-dispatch", null);
            String dispatchedRoot = Trace.assertForwarded("Root={NEW}", null, dispatched.body).get(0);
            assertEquals(List.of("Root=" + dispatchedRoot), dispatched.traceHeaders, "once, for the first pass");
        } finally {
            Config.install(previous);
        }
        assertEquals(List.of(), get("/front", FULL).traceHeaders);
    }

    /**
     * Sends {@code header} to {@code /handoff} with the response header asked for; asserts that the filter, the
     * servlet, its log MDC, the task it handed to a pool (and that task's MDC) and the response all had
     * {@code expected} (a template: {NEW} is a fresh Root), and that both calls to the back service forwarded
     * {@code forwarded} ({ROOT} is the context's Root field). Returns the context.
     */
    String boundedRequest(String header, String expected, String forwarded) throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        Balancer.Answer answer;
        try {
            Recorder.clear();
            calls = back.received().size();
            answer = get("/handoff", header);
        } finally {
            Config.install(previous);
        }
        assertEquals(200, answer.status, () -> Container.NAME + ": status " + answer.status);
        String context = answer.body;
        Trace.assertForwarded(expected, null, context);
        String root = Trace.rootOf(context);
        for (String place : List.of("filter-REQUEST", "handoff", "pool-task")) {
            assertEquals(List.of(context), Recorder.at(place), place);
        }
        assertEquals(List.of(root + " " + context, root + " " + context), Recorder.MDC,
                "the servlet's and the pool task's log MDC");
        assertEquals(List.of("Root=" + root), answer.traceHeaders);
        List<RecordingServer.Received> all = backCalls();
        assertEquals(List.of("/back/pool-task", "/back/handoff"), all.stream().map(c -> c.path).toList());
        for (RecordingServer.Received call : all) {
            Trace.assertForwarded(forwarded.replace("{ROOT}", "Root=" + root), context, call.traceHeader());
        }
        nothingOnTheContainerThreads();
        return context;
    }

    @Test
    void aSixtyKilobyteHeaderIsTheRootAloneEverywhere() throws Exception {
        String big = ";Big=" + "x".repeat(60 * 1024);
        boundedRequest(FULL + big, "Root=" + Trace.ROOT, "Self={NEW};{ROOT}");
        boundedRequest("Root=1-bad" + big, "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void tenThousandFieldsAreTheRootAloneEverywhere() throws Exception {
        boundedRequest("Root=" + Trace.ROOT + Trace.customFields(10_000), "Root=" + Trace.ROOT, "Self={NEW};{ROOT}");
        boundedRequest(Trace.customFields(10_000).substring(1), "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void exactlyAtTheBoundIsKeptOneByteOverIsTheRootAlone() throws Exception {
        String at = FULL + ";Pad=" + "p".repeat(7168 - FULL.length() - 5);
        assertEquals(7168, at.length());
        // kept whole; what leaves is over 7 KB with its new Self and the other headers: the size rule applies there
        boundedRequest(at, at, "{ROOT}");
        boundedRequest(at + "q", "Root=" + Trace.ROOT, "Self={NEW};{ROOT}");
        String customs = "Pad=" + "p".repeat(7168 - 5 - Trace.ROOT.length() - 5);
        boundedRequest("Root=1-bad;" + customs, "Root={NEW};" + customs, "{ROOT}");
        boundedRequest("Root=1-bad;" + customs + "q", "Root={NEW}", "Self={NEW};{ROOT}");
        // and the next request has its own context
        boundedRequest(FULL, FULL, "Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb");
        String fresh = boundedRequest(null, "Root={NEW}", "Self={NEW};{ROOT}");
        assertFalse(fresh.contains(Trace.ROOT), fresh);
    }

    @Test
    void eachRequestItsOwnContext() throws Exception {
        Balancer.Answer a = get("/front", null);
        Balancer.Answer b = get("/front", null);
        assertNotEquals(a.body, b.body);
        assertTrue(a.body.startsWith("Root=1-") && b.body.startsWith("Root=1-"), a.body + " " + b.body);
    }
}

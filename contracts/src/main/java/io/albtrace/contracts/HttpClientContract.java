package io.albtrace.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.albtrace.contracts.ContractServer.Received;
import io.albtrace.contracts.ContractServer.Reply;
import io.albtrace.contracts.HttpClientAdapter.Client;
import io.albtrace.contracts.HttpClientAdapter.Feature;
import io.albtrace.contracts.HttpClientAdapter.Pending;
import io.albtrace.contracts.HttpClientAdapter.Protocol;
import io.albtrace.contracts.HttpClientAdapter.Request;
import io.albtrace.contracts.HttpClientAdapter.Response;
import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.IdSource;
import io.albtrace.core.Ids;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import io.albtrace.testing.Vectors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every HTTP client instrumentation keeps (SPEC 2, 3, 5 and 7), one set of tests for every client: a
 * module's test class extends this, installs its instrumentation (its own {@code @ExtendWith(InstalledAgent.class)})
 * and lists its ways to send in {@link #adapters()}; every test runs once per way, and the tests of a
 * {@link Feature} a way lacks are skipped with the reason. Real requests through the real library to a real server
 * on 127.0.0.1 ({@link ContractServer}, Jetty 12: HTTP/1.1, h2c, and TLS with ALPN) and through a real proxy
 * ({@link RawHttpServer}); every header is asserted exactly as SPEC says it leaves ({@link Trace#assertForwarded}).
 *
 * <p>What it covers, per way: the shared forwarding vectors as the application's own header; the context of the
 * thread that makes the call, with a new Self per call and the application's own header winning; several copies of
 * the header, the first counting and one leaving; the size rule (7,168 bytes and a configured bound, at, one over and
 * under the bound, counted over every header the server received); requests with distinct Roots in flight together;
 * an agent that fails (its identifier source throws) leaving every call as if it were absent; and, for the features a
 * way has: the asynchronous caller's context, a request object sent again, redirects (to another origin, and a
 * {@code POST} followed by a {@code GET}), the client's own retries and authentication follow-ups, and an HTTP proxy
 * to a clear-text origin and a {@code CONNECT} tunnel to a TLS one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
public abstract class HttpClientContract {

    static final String FULL = "Self={NEW};" + Trace.CONTEXT;
    static final String ROOT_ONLY = "Root=" + Trace.ROOT;
    static final String FIRST = "Root=1-67891233-abcdef012345678912345678;K=first";
    static final String SECOND = "Root=1-11111111-111111111111111111111111;K=second";
    static final String CONTEXT2 = "Root=1-22222222-222222222222222222222222;From=second";
    /** An application's own header with a valid Root and fields of X-Ray's. */
    static final String OWN = "Root=1-8a3c60f7-d188f8fa79d48a391a778fa6;Parent=53995c3f42cd8ad8;Sampled=1";

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

    /** The ways to send this module tests: each a client library configured for one protocol. */
    protected abstract List<? extends HttpClientAdapter> adapters();

    protected ContractServer server;
    private List<? extends HttpClientAdapter> ways;
    /** The way and client of the running test. */
    protected HttpClientAdapter way;
    protected Client client;
    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

    @BeforeAll
    void startServer() throws Exception {
        server = new ContractServer();
    }

    @AfterAll
    void stopServer() throws Exception {
        try (AutoCloseable s = server) {
            for (HttpClientAdapter w : ways == null ? List.<HttpClientAdapter>of() : ways) {
                w.closeClients();
            }
        }
    }

    @BeforeEach
    void nothingBound() {
        assertNull(Context.current(), "no context is bound when a test starts");
        server.reset();
    }

    @AfterEach
    void closeWhatTheTestOpened() throws Exception {
        way = null;
        client = null;
        for (int i = closeAfterTest.size() - 1; i >= 0; i--) {
            closeAfterTest.get(i).close();
        }
        closeAfterTest.clear();
        assertNull(Context.current(), "the test's thread has no context afterwards");
    }

    // ---- the parameters ----

    protected final List<? extends HttpClientAdapter> ways() {
        if (ways == null) {
            ways = adapters();
        }
        return ways;
    }

    protected final Stream<Arguments> waysAndVectors() throws IOException {
        List<Arguments> rows = Vectors.rows();
        return ways().stream().flatMap(w -> rows.stream().map(v -> Arguments.of(w, v.get()[0], v.get()[1],
                v.get()[2])));
    }

    protected final Stream<Arguments> waysAndOrigins() {
        return ways().stream().flatMap(w -> Stream.of(Arguments.of(w, false), Arguments.of(w, true)));
    }

    protected final Stream<Arguments> waysAndPostRedirects() {
        return ways().stream().flatMap(w -> Stream.of(Arguments.of(w, 302), Arguments.of(w, 303)));
    }

    // ---- helpers ----

    /** Starts a test on {@code w}: skipped when the way cannot run here; its client, the server's record emptied. */
    protected Client open(HttpClientAdapter w, Feature... needs) throws Exception {
        for (Feature f : needs) {
            assumeTrue(w.features().contains(f), () -> w + " has no " + f);
        }
        String why = w.unsupported(false, w.tls);
        assumeTrue(why == null, why);
        way = w;
        client = w.client(server, null);
        server.reset();
        return client;
    }

    protected String url(String path) {
        return server.url(way.tls, path);
    }

    /** The request object for {@code method path} with {@code headers} (name, value, ...). */
    protected Object request(String method, String path, String... headers) throws Exception {
        return client.request(new Request(method, url(path), headers));
    }

    /** Sends {@code method path} with {@code headers}; asserts 200. */
    protected Response send(String method, String path, String... headers) throws Exception {
        Response r = client.send(request(method, path, headers));
        assertEquals(200, r.status, () -> way + " " + method + " " + path);
        return r;
    }

    /** Asserts that a request arrived in the way's protocol, over TLS exactly when the way uses it. */
    protected void assertTheWaysProtocol(Received r) {
        assertEquals(way.protocol.seen, r.protocol, () -> way + ": the protocol the server saw for " + r);
        assertEquals(way.tls, r.secure, () -> way + ": over TLS exactly when the way is: " + r);
    }

    /** Sends a GET with {@code headers}; returns the one trace header the server received for it. */
    protected String get(String path, String... headers) throws Exception {
        int before = server.received().size();
        send("GET", path, headers);
        List<Received> all = server.received();
        assertEquals(before + 1, all.size(), all::toString);
        Received r = all.get(before);
        assertTheWaysProtocol(r);
        return r.traceHeader();
    }

    /** Asynchronously when the way can, else sent at once: the response, once awaited. */
    protected Pending submitOrSend(Object request) throws Exception {
        if (way.features().contains(Feature.ASYNC)) {
            return client.submit(request);
        }
        Response r = client.send(request);
        return () -> r;
    }

    /** The application's request object holds exactly the trace headers it set (blanks around a value aside). */
    protected void assertUntouched(Object request, List<String> set) {
        List<String> now = client.traceHeadersOf(request);
        if (now != null) {
            assertEquals(set.stream().map(String::strip).collect(Collectors.toList()),
                    now.stream().map(String::strip).collect(Collectors.toList()),
                    () -> way + ": the application's request object after the call");
        }
    }

    /** Installs settings with {@code albtrace.max.header.bytes=bound}; returns the ones they replace. */
    protected static Config withBound(int bound) {
        Properties p = new Properties();
        p.setProperty(Config.MAX_HEADER_BYTES, String.valueOf(bound));
        Config configured = Config.load(p, Map.of());
        assertEquals(bound, configured.maxHeaderBytes());
        return Config.install(configured);
    }

    // ---- SPEC 3: the vectors, as the application's own header ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("waysAndVectors")
    void forwardsTheVector(HttpClientAdapter w, String name, String input, String expected) throws Exception {
        open(w);
        Object request = input == null ? request("GET", "/vector/" + name)
                : request("GET", "/vector/" + name, Trace.NAME, input);
        assertEquals("ok", client.send(request).body);
        Received r = server.only();
        assertTheWaysProtocol(r);
        Trace.assertForwarded(expected, input, r.traceHeader());
        assertUntouched(request, input == null ? List.of() : List.of(input));
    }

    // ---- SPEC 5: the context of the thread that makes the call ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void withoutContextOrHeaderANewRoot(HttpClientAdapter w) throws Exception {
        open(w);
        assertEquals(1, Trace.assertForwarded("Root={NEW}", null, get("/none")).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theContextIsForwardedWithANewSelf(HttpClientAdapter w) throws Exception {
        open(w);
        String seen;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            seen = get("/ctx");
            assertEquals(Trace.CONTEXT, Context.current(), "the call leaves the context as it was");
        }
        assertNull(Context.current());
        Trace.assertForwarded(FULL, Trace.CONTEXT, seen);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void twoCallsInOneContextShareTheRootEachWithItsOwnSelf(HttpClientAdapter w) throws Exception {
        open(w);
        String a;
        String b;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            a = get("/one");
            b = get("/two");
        }
        assertNotEquals(Trace.self(a, Trace.CONTEXT), Trace.self(b, Trace.CONTEXT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theApplicationsOwnHeaderWinsOverTheContext(HttpClientAdapter w) throws Exception {
        open(w);
        String withSelf = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";Mine=1";
        String a;
        String b;
        try (Scope s = Context.bind("Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=ctx")) {
            a = get("/own", Trace.NAME, OWN);
            b = get("/own-self", Trace.NAME, withSelf);
        }
        Trace.assertForwarded("Self={NEW};" + OWN, OWN, a);
        Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";Mine=1", withSelf, b);
    }

    // ---- SPEC 2.1 and 3: several copies ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void twoCopiesTheFirstCountsOneLeaves(HttpClientAdapter w) throws Exception {
        open(w);
        Trace.self(get("/same", Trace.NAME, FIRST, Trace.NAME, SECOND), FIRST);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void copiesWhoseNamesDifferInCaseTheFirstCountsOverTheContextToo(HttpClientAdapter w) throws Exception {
        open(w);
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get("/case", "x-amzn-trace-id", FIRST, "X-AMZN-TRACE-ID", SECOND,
                    Trace.NAME, "Root=1-22222222-222222222222222222222222");
        }
        Trace.self(header, FIRST);
    }

    // ---- SPEC 3: the size rule ----

    /** Sends a GET in {@link Trace#CONTEXT} with one padding header of {@code padLength}; returns what arrived. */
    private Received sendPadded(String path, int padLength) throws Exception {
        int before = server.received().size();
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send("GET", path, "X-Pad", "a".repeat(padLength));
        }
        Received r = server.received().get(before);
        assertTheWaysProtocol(r);
        return r;
    }

    /** At the bound the whole header leaves, one byte over only the Root, well under the whole header again. */
    private void assertBoundIs(int bound) throws Exception {
        Received probe = sendPadded("/probe", 1);
        Trace.assertForwarded(FULL, Trace.CONTEXT, probe.traceHeader());
        int pad = 1 + bound - probe.headerBytes();
        assertTrue(pad > 100, "the bound " + bound + " is too small for this test");

        Received atTheBound = sendPadded("/at", pad);
        Trace.assertForwarded(FULL, Trace.CONTEXT, atTheBound.traceHeader());
        assertEquals(bound, atTheBound.headerBytes(), "all headers together are exactly the bound");

        Received oneOver = sendPadded("/over", pad + 1);
        assertEquals(ROOT_ONLY, oneOver.traceHeader());
        int cut = FULL.replace("{NEW}", "x".repeat(35)).length() - ROOT_ONLY.length();
        assertEquals(bound + 1 - cut, oneOver.headerBytes());

        Trace.assertForwarded(FULL, Trace.CONTEXT, sendPadded("/under", pad - 100).traceHeader());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theSizeRulesDefaultBoundIs7168Bytes(HttpClientAdapter w) throws Exception {
        open(w);
        assertEquals(7168, Config.current().maxHeaderBytes());
        assertBoundIs(7168);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theSizeRuleWithAConfiguredBound(HttpClientAdapter w) throws Exception {
        open(w);
        Config previous = withBound(700);
        try {
            assertBoundIs(700);
        } finally {
            Config.install(previous);
        }
        assertEquals(7168, Config.current().maxHeaderBytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theSizeRuleOnTheApplicationsOwnHeaderCountsTheClientsOwnHeaders(HttpClientAdapter w) throws Exception {
        open(w);
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        get("/probe", Trace.NAME, own, "X-Filler", "x");
        int atBound = 1 + (7168 - server.only().headerBytes());
        String at = get("/at", Trace.NAME, own, "X-Filler", "x".repeat(atBound));
        assertEquals(7168, server.received("/at").get(0).headerBytes(), "the filler brings the headers to the bound");
        Trace.self(at, own);
        String over = get("/over", Trace.NAME, own, "X-Filler", "x".repeat(atBound + 1));
        Trace.assertForwarded(ROOT_ONLY, own, over);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theApplicationsHeadersAloneOverTheBoundLeaveTheRootAlone(HttpClientAdapter w) throws Exception {
        open(w);
        assertEquals(ROOT_ONLY, get("/big", "X-Big", "b".repeat(7200),
                Trace.NAME, "Self=1-63441c4a-12456789abcdef012345678;" + Trace.CONTEXT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void overTheBoundWithoutAValidRootANewRootAlone(HttpClientAdapter w) throws Exception {
        open(w);
        Trace.assertForwarded("Root={NEW}", null, get("/big", "X-Big", "b".repeat(8000),
                Trace.NAME, "Root=garbage;CalledFrom=app"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void manySmallHeadersCountToo(HttpClientAdapter w) throws Exception {
        open(w);
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            headers.add("X-Many-" + i);
            headers.add("v".repeat(70)); // 100 lines of about 83 bytes
        }
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = get("/many", headers.toArray(new String[0]));
        }
        assertTrue(server.only().headerBytes() > 7168);
        assertEquals(ROOT_ONLY, header);
    }

    // ---- a request object sent again ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRequestObjectSentAgainGetsTheContextOfEachCall(HttpClientAdapter w) throws Exception {
        open(w, Feature.REUSABLE_REQUEST);
        Object request = request("GET", "/reused", "X-Other", "kept");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, client.send(request).status);
        }
        assertUntouched(request, List.of());
        try (Scope s = Context.bind(CONTEXT2)) {
            assertEquals(200, client.send(request).status);
        }
        assertUntouched(request, List.of());
        assertEquals(200, client.send(request).status);
        List<Received> all = server.received();
        assertEquals(3, all.size(), all::toString);
        Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        Trace.self(all.get(1).traceHeader(), CONTEXT2);
        Trace.assertForwarded("Root={NEW}", null, all.get(2).traceHeader());
        assertEquals("kept", all.get(2).header("X-Other"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRequestObjectSentTwiceInOneContextGetsTwoSelves(HttpClientAdapter w) throws Exception {
        open(w, Feature.REUSABLE_REQUEST);
        Object request = request("GET", "/again");
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            client.send(request);
            client.send(request);
        }
        List<Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        assertNotEquals(Trace.self(all.get(0).traceHeader(), Trace.CONTEXT),
                Trace.self(all.get(1).traceHeader(), Trace.CONTEXT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRequestObjectWithItsOwnHeaderSentAgainGetsANewSelfEachTime(HttpClientAdapter w) throws Exception {
        open(w, Feature.REUSABLE_REQUEST);
        Object request = request("GET", "/reused-own", Trace.NAME, FIRST);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals(200, client.send(request).status);
        }
        assertUntouched(request, List.of(FIRST));
        assertEquals(200, client.send(request).status);
        assertUntouched(request, List.of(FIRST));
        List<Received> all = server.received();
        assertEquals(2, all.size(), all::toString);
        assertNotEquals(Trace.self(all.get(0).traceHeader(), FIRST), Trace.self(all.get(1).traceHeader(), FIRST));
    }

    // ---- SPEC 3: what the client sends again on its own keeps the value ----

    /** Every request received so far carries the one value of the first, which is {@code template}; returns it. */
    private String sameValueOnEverySend(List<String> paths, String template, String input) {
        List<Received> all = server.received();
        assertEquals(paths, all.stream().map(r -> r.path).collect(Collectors.toList()), all::toString);
        String first = all.get(0).traceHeader();
        Trace.assertForwarded(template, input, first);
        for (Received r : all) {
            assertEquals(List.of(first), r.traceHeaders(), () -> "not forwarded a second time: " + all);
        }
        return first;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRedirectKeepsTheContextsValue(HttpClientAdapter w) throws Exception {
        open(w, Feature.REDIRECTS);
        server.answer("/from", (r, count) -> Reply.redirect(302, "/to"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", send("GET", "/from").body);
        }
        sameValueOnEverySend(List.of("/from", "/to"), FULL, Trace.CONTEXT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void withoutAContextARedirectKeepsItsNewRoot(HttpClientAdapter w) throws Exception {
        open(w, Feature.REDIRECTS);
        server.answer("/from", (r, count) -> Reply.redirect(302, "/to"));
        send("GET", "/from");
        sameValueOnEverySend(List.of("/from", "/to"), "Root={NEW}", null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRedirectKeepsTheValueMadeFromTheApplicationsOwnHeader(HttpClientAdapter w) throws Exception {
        open(w, Feature.REDIRECTS);
        server.answer("/from", (r, count) -> Reply.redirect(302, "/to"))
                .answer("/temporary", (r, count) -> Reply.redirect(307, "/kept"));
        send("GET", "/from", Trace.NAME, "CalledFrom=app");
        String own = "Root=" + Trace.ROOT + ";CalledFrom=app";
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send("GET", "/temporary", Trace.NAME, own);
        }
        List<Received> all = server.received();
        assertEquals(List.of("/from", "/to", "/temporary", "/kept"),
                all.stream().map(r -> r.path).collect(Collectors.toList()), all::toString);
        Trace.assertForwarded("Root={NEW};CalledFrom=app", null, all.get(0).traceHeader());
        assertEquals(List.of(all.get(0).traceHeader()), all.get(1).traceHeaders());
        Trace.self(all.get(2).traceHeader(), own);
        assertEquals(List.of(all.get(2).traceHeader()), all.get(3).traceHeaders());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void chainedRedirectsKeepTheValue(HttpClientAdapter w) throws Exception {
        open(w, Feature.REDIRECTS);
        server.answer("/a", (r, count) -> Reply.redirect(301, "/b"))
                .answer("/b", (r, count) -> Reply.redirect(307, "/c"));
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send("GET", "/a");
        }
        sameValueOnEverySend(List.of("/a", "/b", "/c"), FULL, Trace.CONTEXT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aRedirectToAnotherOriginKeepsTheValue(HttpClientAdapter w) throws Exception {
        open(w, Feature.REDIRECTS);
        try (ContractServer other = new ContractServer()) {
            server.answer("/from", (r, count) -> Reply.redirect(302, other.url(way.tls, "/elsewhere")));
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                send("GET", "/from");
            }
            String first = server.only().traceHeader();
            Trace.self(first, Trace.CONTEXT);
            assertEquals("/elsewhere", other.only().path);
            assertEquals(List.of(first), other.only().traceHeaders(), "not forwarded a second time");
        }
    }

    /**
     * A {@code POST} answered {@code 302} or {@code 303} is followed by a {@code GET}, which a client makes anew, the
     * application's headers left out: it still carries exactly the value of the {@code POST}, in a context, from the
     * application's own header, and from a new Root.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("waysAndPostRedirects")
    void aPostRedirectedToAGetKeepsTheValueOfThePost(HttpClientAdapter w, int status) throws Exception {
        open(w, Feature.REDIRECTS);
        assumeTrue(status == 303 || w.features().contains(Feature.REDIRECT_302_POST_AS_GET),
                () -> w + " does not follow a 302 of a POST");
        String ownRoot = "Root=" + Trace.ROOT + ";Mine=1";
        String[][] cases = {{"context", null, Trace.CONTEXT, FULL}, {"own", ownRoot, Trace.CONTEXT, "Self={NEW};" + ownRoot},
            {"own-no-root", "CalledFrom=app", null, "Root={NEW};CalledFrom=app"}, {"none", null, null, "Root={NEW}"}};
        for (String[] c : cases) {
            server.reset();
            server.answer("/form-" + c[0], (r, count) -> Reply.redirect(status, "/result-" + c[0]));
            try (Scope s = c[2] == null ? null : Context.bind(c[2])) {
                if (c[1] == null) {
                    send("POST", "/form-" + c[0]);
                } else {
                    send("POST", "/form-" + c[0], Trace.NAME, c[1]);
                }
            }
            List<Received> all = server.received();
            assertEquals(List.of("POST", "GET"), all.stream().map(r -> r.method).collect(Collectors.toList()),
                    () -> c[0] + ": " + all);
            sameValueOnEverySend(List.of("/form-" + c[0], "/result-" + c[0]), c[3], c[1] != null ? c[1] : c[2]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theClientsOwnRetryKeepsTheValue(HttpClientAdapter w) throws Exception {
        boolean on408 = w.features().contains(Feature.RETRY_408);
        assumeTrue(on408 || w.features().contains(Feature.RETRY_503), () -> w + " does not retry on a status");
        open(w);
        server.answer("/flaky", (r, count) -> count > 1 ? null
                : on408 ? new Reply(408, Map.of()) : new Reply(503, Map.of("Retry-After", "0")));
        assertEquals("ok", send("GET", "/flaky").body);
        sameValueOnEverySend(List.of("/flaky", "/flaky"), "Root={NEW}", null);
        assertNull(Context.current());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void anAuthenticationFollowUpKeepsTheValue(HttpClientAdapter w) throws Exception {
        open(w, Feature.AUTHENTICATION);
        ContractServer.Answer challenge = (r, count) -> r.header("Authorization") != null ? null
                : new Reply(401, Map.of("WWW-Authenticate", "Basic realm=\"albtrace\""));
        // directories of their own: a client that keeps credentials for a directory sends them before a challenge
        server.answer("/in-context/auth", challenge).answer("/none/auth", challenge);
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send("GET", "/in-context/auth");
        }
        List<Received> first = server.received();
        assertEquals(2, first.size(), first::toString);
        assertNull(first.get(0).header("Authorization"));
        assertNotNull(first.get(1).header("Authorization"), first::toString);
        sameValueOnEverySend(List.of("/in-context/auth", "/in-context/auth"), FULL, Trace.CONTEXT);
        server.reset();
        server.answer("/none/auth", challenge);
        send("GET", "/none/auth");
        sameValueOnEverySend(List.of("/none/auth", "/none/auth"), "Root={NEW}", null);
    }

    // ---- SPEC 5.2: asynchronous calls, and distinct Roots in flight together ----

    /**
     * Calls in flight at once, each made in its own context (or none) and none waited for inside it: each forwards the
     * context of the thread that made it although the client's own threads send it; a later call made outside any
     * context gets a new Root; the client's callback and its threads have no context.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void asyncCallsForwardTheCallersContextNotTheSendersOne(HttpClientAdapter w) throws Exception {
        open(w, Feature.ASYNC);
        String[] contexts = {Trace.CONTEXT, CONTEXT2, null};
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Object r = request("GET", "/async/" + i);
            String context = contexts[i % 3];
            try (Scope s = context == null ? null : Context.bind(context)) {
                pending.add(client.submit(r));
            }
        }
        for (Pending p : pending) {
            Response r = p.await();
            assertEquals(200, r.status);
            if (!Response.NOT_SEEN.equals(r.callbackContext)) {
                assertNull(r.callbackContext, "the client's callback runs with no context bound");
            }
        }
        List<Received> all = server.received();
        assertEquals(6, all.size(), all::toString);
        for (Received r : all) {
            assertTheWaysProtocol(r);
            String context = contexts[Integer.parseInt(r.path.substring("/async/".length())) % 3];
            if (context == null) {
                Trace.assertForwarded("Root={NEW}", null, r.traceHeader());
            } else {
                Trace.self(r.traceHeader(), context);
            }
        }
        Trace.assertForwarded("Root={NEW}", null, get("/after"));
        String onItsThreads = client.contextOnItsThreads();
        if (!Response.NOT_SEEN.equals(onItsThreads)) {
            assertNull(onItsThreads, "none is left on the client's threads");
        }
    }

    /**
     * SPEC 5.5: two requests made in distinct contexts are in flight together (the server answers neither before both
     * arrived): each carries its own Root, and nothing is left for the next call.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void distinctRootsInFlightTogetherEachKeepItsOwn(HttpClientAdapter w) throws Exception {
        boolean async = w.features().contains(Feature.ASYNC);
        assumeTrue(async || w.features().contains(Feature.CONCURRENT), () -> w + ": one request at a time");
        open(w);
        CountDownLatch both = new CountDownLatch(2);
        ContractServer.Answer hold = (r, count) -> {
            both.countDown();
            return both.await(30, TimeUnit.SECONDS) ? null : new Reply(500, Map.of());
        };
        server.answer("/together/0", hold).answer("/together/1", hold);
        String[] contexts = {Trace.CONTEXT, CONTEXT2};
        List<Response> responses = new ArrayList<>();
        if (async) {
            List<Pending> pending = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Object r = request("GET", "/together/" + i);
                try (Scope s = Context.bind(contexts[i])) {
                    pending.add(client.submit(r));
                }
            }
            for (Pending p : pending) {
                responses.add(p.await());
            }
        } else {
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<Response>> futures = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    String context = contexts[i];
                    Object r = request("GET", "/together/" + i);
                    futures.add(threads.submit(() -> {
                        try (Scope s = Context.bind(context)) {
                            return client.send(r);
                        }
                    }));
                }
                for (Future<Response> f : futures) {
                    responses.add(f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                threads.shutdownNow();
            }
        }
        for (Response r : responses) {
            assertEquals(200, r.status, "the two requests were not in flight together");
        }
        for (int i = 0; i < 2; i++) {
            List<Received> at = server.received("/together/" + i);
            assertEquals(1, at.size(), server.received()::toString);
            assertTheWaysProtocol(at.get(0));
            Trace.self(at.get(0).traceHeader(), contexts[i]);
        }
        Trace.assertForwarded("Root={NEW}", null, get("/after"));
    }

    // ---- SPEC 7: a failure inside the agent leaves the call as if the agent were absent ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aFailingIdSourceLeavesTheCallAsIfTheAgentWereAbsent(HttpClientAdapter w) throws Exception {
        open(w);
        List<String> said = new ArrayList<>();
        Ids.use(BROKEN);
        try {
            StdErr.capture(() -> {
                send("GET", "/none");
                send("GET", "/own", Trace.NAME, Trace.CONTEXT);
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    send("GET", "/context");
                }
                return null;
            }, said);
        } finally {
            Ids.use(null);
        }
        List<Received> all = server.received();
        assertEquals(3, all.size(), all::toString);
        assertEquals(List.of(), all.get(0).traceHeaders(), "no header: none is added");
        assertEquals(List.of(Trace.CONTEXT), all.get(1).traceHeaders(), "the application's header is sent as set");
        assertEquals(List.of(), all.get(2).traceHeaders(), "the context is not forwarded");
        assertNull(OutgoingCall.current(), "no call is left current on the thread");
        assertNull(Context.current());
        List<String> failures = said.stream().filter(l -> l.contains(" instrumentation failed"))
                .collect(Collectors.toList());
        for (String line : failures) {
            assertTrue(line.startsWith("[albtrace] " + w.instrumentation() + " instrumentation failed")
                    && line.contains("broken id source (test)"), said::toString);
        }
        int lines = StdErr.failuresSaid(w.instrumentation());
        assertTrue(w.saysItsFailures() ? lines == 1 : lines <= 1,
                () -> "the failure is said " + (w.saysItsFailures() ? "" : "at most ") + "once in this JVM, not "
                        + lines + " times: " + said);
        // and with the identifier source back, forwarding works again
        Trace.assertForwarded("Root={NEW}", null, get("/after"));
    }

    // ---- through an HTTP proxy: the application's request carries the header, a CONNECT never does ----

    private RawHttpServer proxy;

    /** Starts a test through a proxy of its own to the clear-text ({@code https} false) or the TLS origin. */
    private void openProxied(HttpClientAdapter w, boolean https) throws Exception {
        assumeTrue(w.features().contains(https ? Feature.PROXY_TUNNEL : Feature.PROXY),
                () -> w + " has no " + (https ? Feature.PROXY_TUNNEL : Feature.PROXY));
        String why = w.unsupported(true, https);
        assumeTrue(why == null, why);
        way = w;
        proxy = new RawHttpServer();
        closeAfterTest.add(proxy);
        client = w.client(server, proxy.address());
        closeAfterTest.add(client);
        server.reset();
    }

    private String originUrl(boolean https, String path) {
        return server.url(https, path);
    }

    /**
     * Waits for a request sent through the proxy; returns what the origin received for it, after checking what the
     * proxy saw: {@code CONNECT}s to the origin without a trace header, or the request itself with exactly the one
     * header the origin got.
     */
    private Received complete(Pending pending, boolean https, String path) throws Exception {
        assertEquals(200, pending.await().status, () -> path + ": the proxy saw " + proxy.heads());
        List<Received> at = server.received(path);
        assertEquals(1, at.size(), () -> "the origin received " + server.received());
        Received r = at.get(0);
        assertEquals(https, r.secure, "the request came over TLS");
        assertEquals(https ? way.protocol.seen : Protocol.HTTP_1_1.seen, r.protocol, "the protocol the origin saw");
        List<RawHttpServer.Head> seen = proxy.heads();
        String authority = "127.0.0.1:" + server.port(true);
        if (https) {
            assertFalse(seen.isEmpty(), "the client went through the proxy");
            for (RawHttpServer.Head s : seen) {
                assertEquals("CONNECT " + authority + " HTTP/1.1", s.requestLine, seen::toString);
                assertTrue(s.headers().stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Host")),
                        () -> "the proxy read the CONNECT's headers: " + s);
                assertEquals(List.of(), s.traceHeaders(), () -> "a CONNECT carries no trace header: " + seen);
            }
        } else {
            List<RawHttpServer.Head> forwarded = seen.stream().filter(s -> s.target().equals(originUrl(false, path)))
                    .collect(Collectors.toList());
            assertEquals(1, forwarded.size(), () -> "the proxy saw " + seen);
            assertEquals("GET", forwarded.get(0).method());
            assertEquals(List.of(r.traceHeader()), forwarded.get(0).traceHeaders(),
                    "the proxy saw the one header the origin got");
        }
        return r;
    }

    private Received sendProxied(boolean https, String path, String... headers) throws Exception {
        Object request = client.request(new Request("GET", originUrl(https, path), headers));
        return complete(submitOrSend(request), https, path);
    }

    /** All the request's headers as its client wrote them: at the proxy, or at the origin through a tunnel. */
    private int headerBytesAsWritten(boolean https, Received atOrigin) {
        if (https) {
            return atOrigin.headerBytes();
        }
        String url = originUrl(false, atOrigin.path);
        return proxy.heads().stream().filter(s -> s.target().equals(url)).findFirst().orElseThrow().headerBytes();
    }

    @ParameterizedTest(name = "{0} https={1}")
    @MethodSource("waysAndOrigins")
    void throughAProxyWithoutContextANewRoot(HttpClientAdapter w, boolean https) throws Exception {
        openProxied(w, https);
        Trace.assertForwarded("Root={NEW}", null, sendProxied(https, "/none").traceHeader());
        assertEquals(1, proxy.heads().size(), proxy.heads()::toString);
    }

    @ParameterizedTest(name = "{0} https={1}")
    @MethodSource("waysAndOrigins")
    void throughAProxyTwoCallsInAContextEachGetItsValueWithItsOwnSelf(HttpClientAdapter w, boolean https)
            throws Exception {
        openProxied(w, https);
        Pending a;
        Pending b;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            a = submitOrSend(client.request(new Request("GET", originUrl(https, "/a"))));
            b = submitOrSend(client.request(new Request("GET", originUrl(https, "/b"))));
        }
        String selfA = Trace.self(complete(a, https, "/a").traceHeader(), Trace.CONTEXT);
        String selfB = Trace.self(complete(b, https, "/b").traceHeader(), Trace.CONTEXT);
        assertNotEquals(selfA, selfB);
    }

    @ParameterizedTest(name = "{0} https={1}")
    @MethodSource("waysAndOrigins")
    void throughAProxyTheApplicationsHeaderWinsAndOneCopyLeaves(HttpClientAdapter w, boolean https)
            throws Exception {
        openProxied(w, https);
        String header;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            header = sendProxied(https, "/own", Trace.NAME, FIRST, "x-amzn-trace-id", SECOND).traceHeader();
        }
        Trace.self(header, FIRST);
        assertEquals(1, proxy.heads().size(), proxy.heads()::toString);
    }

    @ParameterizedTest(name = "{0} https={1}")
    @MethodSource("waysAndOrigins")
    void throughAProxyTheSizeRuleCountsTheRealRequestsHeaders(HttpClientAdapter w, boolean https) throws Exception {
        openProxied(w, https);
        Received probe;
        Received at;
        Received over;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            probe = sendProxied(https, "/probe", "X-Pad", "a");
            Trace.assertForwarded(FULL, Trace.CONTEXT, probe.traceHeader());
            int pad = 1 + 7168 - headerBytesAsWritten(https, probe);
            assertTrue(pad > 6000, "the probe's headers are small");
            at = sendProxied(https, "/at", "X-Pad", "a".repeat(pad));
            over = sendProxied(https, "/over", "X-Pad", "a".repeat(pad + 1));
        }
        assertEquals(7168, headerBytesAsWritten(https, at), "all headers together are exactly the bound");
        Trace.assertForwarded(FULL, Trace.CONTEXT, at.traceHeader());
        assertEquals(ROOT_ONLY, over.traceHeader());
    }

    // ---- SPEC 8: the hop log's out line ----

    /** The service name the hop log tests set. */
    static final String SERVICE = "contract-client";

    /**
     * Runs {@code body} with the hop log on, written to a new file (service {@value #SERVICE}), and returns the
     * {@code count} {@code out} lines it wrote, each with its time stamp and duration checked and replaced by
     * {@code TS} and {@code MS}. The settings are restored after, the file removed.
     */
    static List<String> outLines(int count, ServerEntryContract.Callable body) throws Exception {
        return ServerEntryContract.withHopLog(SERVICE, body,
                file -> ServerEntryContract.hopLines(file, count, "out", l -> true));
    }

    /** The {@code out} line SPEC 8 asks for a call that sent {@code trace} (null: none), as {@link #outLines} shows it. */
    static String outLine(String trace, String parent, String method, String hostPort, String path, Integer status) {
        String self = io.albtrace.core.TraceHeader.self(trace);
        return "{\"ts\":TS,\"dir\":\"out\",\"svc\":\"" + SERVICE + "\""
                + (trace == null ? "" : ",\"root\":\"" + Trace.rootOf(trace) + "\"")
                + (self == null ? "" : ",\"self\":\"" + self + "\"")
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
                + ",\"method\":\"" + method + "\",\"host\":\"" + hostPort + "\",\"path\":\"" + path + "\""
                + (status == null ? "" : ",\"status\":" + status) + ",\"ms\":MS"
                + (trace == null ? "" : ",\"trace\":\"" + trace + "\"") + "}";
    }

    /** {@code 127.0.0.1:port} of the server, for the running way. */
    private String hostPort() {
        return java.net.URI.create(url("/")).getAuthority();
    }

    /** {@link #open} for a hop log test: skipped, with the reason, for a way that writes no line yet. */
    private Client openLogging(HttpClientAdapter w, Feature... needs) throws Exception {
        String why = w.hopLogUnsupported();
        assumeTrue(why == null, why);
        return open(w, needs);
    }

    /** A context that came with a Self: its out lines' {@code parent}. */
    static final String PARENT_SELF = "1-63441c4a-abcdef012345678912345678";

    /**
     * One {@code out} line per call, with its exact fields: outside any context (no {@code parent}), in a context
     * that came with a Self ({@code parent} that Self) and without one ({@code parent} {@code ""}); the path without
     * its query string; the root, self and trace of the header the server received.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogHasOneOutLinePerCallWithItsExactFields(HttpClientAdapter w) throws Exception {
        openLogging(w);
        String withSelf = "Root=" + Trace.ROOT + ";Self=" + PARENT_SELF + ";CalledFrom=app";
        List<String> lines = outLines(4, () -> {
            send("GET", "/plain?secret=1&b=2");
            try (Scope s = Context.bind(withSelf)) {
                send("GET", "/with-self");
            }
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                send("POST", "/without-self");
            }
            send("GET", "/own", Trace.NAME, "Root=" + Trace.ROOT + ";Mine=1");
        });
        List<Received> all = server.received();
        assertEquals(List.of("/plain", "/with-self", "/without-self", "/own"),
                all.stream().map(r -> r.path).collect(Collectors.toList()));
        assertNotEquals(PARENT_SELF, io.albtrace.core.TraceHeader.self(all.get(1).traceHeader()), "a new Self");
        assertEquals(List.of(
                outLine(all.get(0).traceHeader(), null, "GET", hostPort(), "/plain", 200),
                outLine(all.get(1).traceHeader(), PARENT_SELF, "GET", hostPort(), "/with-self", 200),
                outLine(all.get(2).traceHeader(), "", "POST", hostPort(), "/without-self", 200),
                outLine(all.get(3).traceHeader(), null, "GET", hostPort(), "/own", 200)), sorted(lines, all));
    }

    /** The lines in the order of the server's requests (an asynchronous client may finish them in another). */
    private static List<String> sorted(List<String> lines, List<Received> all) {
        List<String> out = new ArrayList<>(lines);
        out.sort(java.util.Comparator.comparingInt(l -> {
            for (int i = 0; i < all.size(); i++) {
                if (l.contains("\"trace\":\"" + all.get(i).traceHeader() + "\"")) {
                    return i;
                }
            }
            return all.size();
        }));
        return out;
    }

    /** Asynchronous calls made in a context: the caller's {@code parent}, the final status, one line each. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogOfAsyncCallsHasTheCallersParent(HttpClientAdapter w) throws Exception {
        openLogging(w, Feature.ASYNC);
        String withSelf = "Root=" + Trace.ROOT + ";Self=" + PARENT_SELF;
        List<String> lines = outLines(2, () -> {
            Object r1 = request("GET", "/async-1");
            Object r2 = request("GET", "/async-2?q=1");
            Pending p1;
            Pending p2;
            try (Scope s = Context.bind(withSelf)) {
                p1 = client.submit(r1);
            }
            p2 = client.submit(r2);
            assertEquals(200, p1.await().status);
            assertEquals(200, p2.await().status);
        });
        Received a1 = server.received("/async-1").get(0);
        Received a2 = server.received("/async-2").get(0);
        List<String> expected = List.of(outLine(a1.traceHeader(), PARENT_SELF, "GET", hostPort(), "/async-1", 200),
                outLine(a2.traceHeader(), null, "GET", hostPort(), "/async-2", 200));
        assertEquals(expected, sorted(lines, List.of(a1, a2)));
    }

    /**
     * The line's {@code trace}, {@code root} and {@code self} are the header as it went on the wire (SPEC 8): cut to
     * the Root by the size rule when the request's headers, the client's own included, are over the bound.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogShowsTheHeaderAsSentAfterTheSizeRule(HttpClientAdapter w) throws Exception {
        openLogging(w);
        Received probe = sendPadded("/probe", 1);
        int pad = 1 + 7168 - probe.headerBytes();
        List<String> lines = outLines(2, () -> {
            sendPadded("/whole", pad - 100);
            sendPadded("/cut", pad + 1);
        });
        Received whole = server.received("/whole").get(0);
        Received cut = server.received("/cut").get(0);
        Trace.assertForwarded(FULL, Trace.CONTEXT, whole.traceHeader());
        assertEquals(ROOT_ONLY, cut.traceHeader());
        assertEquals(List.of(outLine(whole.traceHeader(), "", "GET", hostPort(), "/whole", 200),
                outLine(ROOT_ONLY, "", "GET", hostPort(), "/cut", 200)), sorted(lines, List.of(whole, cut)));
    }

    /** A redirect the client follows on its own is the same hop: one line, the first request's path, the final status. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogShowsARedirectAsOneLineWithTheFinalStatus(HttpClientAdapter w) throws Exception {
        openLogging(w, Feature.REDIRECTS);
        server.answer("/from", (r, count) -> Reply.redirect(302, "/to"))
                .answer("/to", (r, count) -> new Reply(404, Map.of()));
        List<String> lines = outLines(1, () -> {
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                Response r = client.send(request("GET", "/from?x=1"));
                assertEquals(404, r.status);
            }
        });
        assertEquals(List.of("/from", "/to"), server.received().stream().map(r -> r.path)
                .collect(Collectors.toList()));
        assertEquals(List.of(outLine(server.received().get(0).traceHeader(), "", "GET", hostPort(), "/from", 404)),
                lines);
    }

    /** A retry the client makes on its own after a status is the same hop: one line, the final status. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogShowsTheClientsOwnRetryAsOneLine(HttpClientAdapter w) throws Exception {
        boolean on408 = w.features().contains(Feature.RETRY_408);
        assumeTrue(on408 || w.features().contains(Feature.RETRY_503), () -> w + " does not retry on a status");
        openLogging(w);
        server.answer("/flaky", (r, count) -> count > 1 ? null
                : on408 ? new Reply(408, Map.of()) : new Reply(503, Map.of("Retry-After", "0")));
        List<String> lines = outLines(1, () -> send("GET", "/flaky"));
        assertEquals(2, server.received().size());
        assertEquals(List.of(outLine(server.received().get(0).traceHeader(), null, "GET", hostPort(), "/flaky", 200)),
                lines);
    }

    /**
     * A call whose connection is refused: one line without a status. Its header is the one the call would have sent
     * where the client decides it before it connects, and none where it is decided as the request is written.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogShowsAFailedConnectionWithoutStatus(HttpClientAdapter w) throws Exception {
        openLogging(w);
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        String url = (way.tls ? "https" : "http") + "://127.0.0.1:" + port + "/refused?x=1";
        List<String> lines = outLines(1, () -> {
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                client.send(client.request(new Request("GET", url)));
                throw new AssertionError("the connection was refused, yet a response came");
            } catch (Exception refused) {
                // expected
            }
        });
        assertEquals(1, lines.size(), lines::toString);
        String line = lines.get(0);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(",\"trace\":\"([^\"]*)\"").matcher(line);
        String trace = m.find() ? m.group(1) : null;
        if (trace != null) {
            Trace.assertForwarded(FULL, Trace.CONTEXT, trace);
        }
        assertEquals(outLine(trace, "", "GET", "127.0.0.1:" + port, "/refused", null), line);
    }

    /** Off, no line is made. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theHopLogOffMakesNoLine(HttpClientAdapter w) throws Exception {
        open(w);
        assertNull(Config.current().hoplog());
        long before = io.albtrace.core.HopLog.submitted();
        send("GET", "/off");
        assertEquals(before, io.albtrace.core.HopLog.submitted(), "no line made");
    }
}

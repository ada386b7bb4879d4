package io.albtrace.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.IdSource;
import io.albtrace.core.Ids;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.MDC;

/**
 * The contract every server entry point keeps (SPEC 4, 4.5, 5.5 and 7), one set of tests for every server: a module's
 * test class extends this, installs its instrumentation and the JDK's (the application calls out with the JDK's
 * clients), and starts its server through a {@link ServerEntryAdapter}. A plain socket plays the load balancer
 * ({@link Balancer}); the application ({@link #serve}) records the context and the log MDC (SLF4J) where it runs, calls
 * a real back service ({@link RecordingServer}) with {@code java.net.http.HttpClient} and {@code HttpURLConnection},
 * hands work to a pool, and answers with its context; every value is asserted exactly ({@link Trace#assertForwarded}).
 *
 * <p>What it covers: a full header (the context as received, Self included), a Root-only one, none (a new Root), a
 * malformed one (an invalid Root replaced, bad parts dropped, custom fields kept), oversized ones (SPEC 4.5: the Root
 * alone over {@code albtrace.max.header.bytes}, kept whole at it); the log MDC; the response header when asked for;
 * nothing left on the server's reused threads after a request, one that throws included; requests with distinct Roots
 * in flight together; a failing agent (its identifier source throws) leaving every request served as without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerEntryContract {

    public static final String FULL = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";CalledFrom=lb";
    static final String ROOT = "Root=" + Trace.ROOT;
    static final String OTHER = "Root=1-11111111-111111111111111111111111;K=v";

    /** The server under test, started once for the class. */
    protected abstract ServerEntryAdapter adapter();

    /**
     * The places besides the contract's own that see a request's context in this server (a servlet container's
     * filter: {@code filter-REQUEST}); each must have seen exactly the context the application saw.
     */
    protected List<String> outerPlaces() {
        return List.of();
    }

    // ---- the application, the same on every server ----

    private static final List<String> OBSERVED = new CopyOnWriteArrayList<>();
    private static volatile String back;
    private static volatile CountDownLatch together = new CountDownLatch(2);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** The application's own pool, its thread started outside any request. */
    private static final ExecutorService POOL = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "application-pool");
        thread.setDaemon(true);
        return thread;
    });

    static {
        POOL.execute(() -> { });
    }

    /** The context and the log MDC of this thread now: {@code context | MDC root | MDC id}. */
    public static String observe() {
        return Context.current() + " | " + MDC.get("amzn.trace.root") + " | " + MDC.get("amzn.trace.id");
    }

    /** Records, under {@code place}, what {@link #observe()} says on this thread now. */
    public static void record(String place) {
        OBSERVED.add(place + "=" + observe());
    }

    /** What was recorded at {@code place} since the last {@link #forget()}, in order. */
    public static List<String> at(String place) {
        return OBSERVED.stream().filter(e -> e.startsWith(place + "=")).map(e -> e.substring(place.length() + 1))
                .collect(Collectors.toList());
    }

    /** Only the contexts of {@link #at}. */
    public static List<String> contextsAt(String place) {
        return at(place).stream().map(e -> e.substring(0, e.indexOf(" | "))).collect(Collectors.toList());
    }

    /** Forgets what was recorded. */
    public static void forget() {
        OBSERVED.clear();
    }

    /** Makes the application call the back service at {@code url} (a test that starts its own server). */
    public static void callBackAt(String url) {
        back = url;
    }

    /** The back service's URL for {@code path} (the servers' applications call it too). */
    public static String back(String path) {
        return back + path;
    }

    /** A GET of the back service's {@code path} with {@code HttpURLConnection}. */
    public static void callWithConnection(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(back(path)).openConnection();
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes();
        } finally {
            c.disconnect();
        }
    }

    /** A GET of the back service's {@code path} with {@code java.net.http.HttpClient}. */
    public static void callWithClient(String path) throws IOException {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(back(path))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("the back service answered " + r.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The application: serves {@code path} on the server's thread, inside its entry point; returns the body.
     * <ul>
     *   <li>{@code /front}: records its context and MDC, calls the back service with both JDK clients;</li>
     *   <li>{@code /handoff}: the same, and a task handed to the application's pool records its own and calls too;</li>
     *   <li>{@code /together/N}: waits until two such requests are in flight, then as {@code /front};</li>
     *   <li>{@code /throws}: records, then throws.</li>
     * </ul>
     * Every other path answers its context only. The body is the context the application saw.
     */
    public static String serve(String path) throws Exception {
        String place = path.startsWith("/together/") ? "together" : path.substring(1);
        record(place);
        switch (place) {
            case "front":
            case "together":
                if (place.equals("together")) {
                    together.countDown();
                    if (!together.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the other request did not come while this one was served");
                    }
                }
                callWithClient("/back" + path + "/client");
                callWithConnection("/back" + path + "/connection");
                break;
            case "handoff":
                POOL.submit(() -> {
                    record("pool-task");
                    callWithConnection("/back/pool-task");
                    return null;
                }).get(20, TimeUnit.SECONDS);
                callWithClient("/back/handoff");
                break;
            case "throws":
                throw new IllegalStateException("the application fails (test)");
            default:
                break;
        }
        return String.valueOf(Context.current());
    }

    // ---- the test set-up ----

    private RecordingServer backService;
    protected ServerEntryAdapter.Running server;
    private int calls;

    /** Started at the first test (not in a @BeforeAll, so that a subclass's own @BeforeAll runs before it). */
    @BeforeEach
    void startAndForget() throws Exception {
        if (server == null) {
            backService = new RecordingServer();
            back = backService.url("");
            server = adapter().start();
        }
        forget();
        calls = backService.received().size();
        assertNull(Context.current());
    }

    @AfterAll
    void stopAll() throws Exception {
        try (AutoCloseable s = server; AutoCloseable b = backService) {
            // closed in reverse order
        }
    }

    /** Calls {@code path} through the balancer with {@code header} (null: none); waits until the server is done. */
    protected Balancer.Answer call(String path, String header) throws Exception {
        Balancer.Answer answer = Balancer.get(server.url(path), header);
        server.settle();
        return answer;
    }

    /** The calls the back service received since this test began. */
    protected List<RecordingServer.Received> backCalls() {
        List<RecordingServer.Received> all = backService.received();
        return all.subList(calls, all.size());
    }

    /** Nothing is bound, and no MDC key set, on the server's threads now. */
    protected void nothingOnTheServersThreads() throws Exception {
        List<String> now = server.threadsNow();
        assertEquals(Set.of("null | null | null"), Set.copyOf(now.isEmpty() ? List.of("null | null | null") : now),
                () -> adapter() + ": the server's threads hold " + now);
    }

    /**
     * A request to {@code /front} whose application saw {@code context} (with the MDC of its Root), whose outer places
     * saw it too, and whose two calls forwarded {@code forwarded} ({ROOT}: the context's Root field), each its own
     * Self; returns the answer.
     */
    private Balancer.Answer assertFront(Balancer.Answer answer, String forwarded) {
        assertEquals(200, answer.status, answer::toString);
        String context = answer.body;
        String root = Trace.rootOf(context);
        assertEquals(List.of(context + " | " + root + " | " + context), at("front"), "the context and the log MDC");
        for (String place : outerPlaces()) {
            assertEquals(List.of(context), contextsAt(place), place);
        }
        List<RecordingServer.Received> calls = backCalls();
        assertEquals(List.of("/back/front/client", "/back/front/connection"),
                calls.stream().map(c -> c.path).collect(Collectors.toList()));
        List<String> a = Trace.assertForwarded(forwarded.replace("{ROOT}", "Root=" + root), context,
                calls.get(0).traceHeader());
        List<String> b = Trace.assertForwarded(forwarded.replace("{ROOT}", "Root=" + root), context,
                calls.get(1).traceHeader());
        assertNotEquals(a, b, "each call its own Self");
        return answer;
    }

    // ---- SPEC 4: the incoming header ----

    @Test
    void aFullHeaderIsTheContextAsReceivedAndEachCallGetsANewSelf() throws Exception {
        Balancer.Answer answer = assertFront(call("/front", FULL), "Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb");
        assertEquals(FULL, answer.body, "the context is the incoming fields as received, Self included");
        assertEquals(List.of(), answer.traceHeaders, "responses are not changed by default");
        nothingOnTheServersThreads();
    }

    @Test
    void aRootOnlyHeaderIsKept() throws Exception {
        assertEquals(ROOT, assertFront(call("/front", ROOT), "Self={NEW};{ROOT}").body);
        nothingOnTheServersThreads();
    }

    @Test
    void noHeaderANewRootSharedByTheCalls() throws Exception {
        Balancer.Answer answer = call("/front", null);
        Trace.assertForwarded("Root={NEW}", null, answer.body);
        assertFront(answer, "Self={NEW};{ROOT}");
        assertEquals(List.of(), answer.traceHeaders, "responses are not changed by default");
        nothingOnTheServersThreads();
    }

    @Test
    void anInvalidRootIsReplacedMalformedPartsDroppedCustomFieldsKept() throws Exception {
        Balancer.Answer a = call("/front", "Root=1-5759e988-bd862e3fe1be46a99427279; garbage ;=novalue;"
                + "odd name=x;Sampled=1;;Parent=53995c3f42cd8ad8");
        Trace.assertForwarded("Root={NEW};Sampled=1;Parent=53995c3f42cd8ad8", null, a.body);
        assertFront(a, "Self={NEW};{ROOT};Sampled=1;Parent=53995c3f42cd8ad8");
        forget();
        calls = backService.received().size();
        Balancer.Answer b = call("/front", "Root=1-bad;CalledFrom=lb;Sampled=1");
        Trace.assertForwarded("Root={NEW};CalledFrom=lb;Sampled=1", null, b.body);
        assertFront(b, "Self={NEW};{ROOT};CalledFrom=lb;Sampled=1");
    }

    @Test
    void eachRequestItsOwnContext() throws Exception {
        Balancer.Answer a = call("/front", null);
        Balancer.Answer b = call("/front", null);
        assertNotEquals(Trace.rootOf(a.body), Trace.rootOf(b.body));
        Trace.assertForwarded("Root={NEW}", a.body, b.body);
    }

    // ---- SPEC 5.5: nothing is left on a reused thread ----

    @Test
    void aReusedThreadCarriesNothingIntoTheNextRequest() throws Exception {
        assertEquals(ROOT, call("/front", ROOT).body);
        for (int i = 0; i < 3; i++) {
            Trace.assertForwarded("Root={NEW}", ROOT, call("/front", null).body);
        }
        List<RecordingServer.Received> all = backCalls();
        assertEquals(8, all.size());
        for (RecordingServer.Received r : all.subList(2, 8)) {
            assertFalse(r.traceHeader().contains(Trace.ROOT), r::toString);
        }
        nothingOnTheServersThreads();
        assertNull(Context.current(), "nor on the test's thread");
    }

    @Test
    void aThrowingApplicationStillRemovesTheContext() throws Exception {
        try {
            Balancer.Answer answer = call("/throws", ROOT);
            assertEquals(500, answer.status, answer::toString);
        } catch (IOException dropped) {
            // a server may drop the connection of a failed request
            server.settle();
        }
        assertEquals(List.of(ROOT), contextsAt("throws"));
        nothingOnTheServersThreads();
        forget();
        Trace.assertForwarded("Root={NEW}", ROOT, call("/front", null).body);
        nothingOnTheServersThreads();
    }

    // ---- the response header ----

    @Test
    void theResponseHeaderWhenAskedFor() throws Exception {
        Config previous = configure(null);
        try {
            assertEquals(List.of(ROOT), call("/front", FULL).traceHeaders);
            Balancer.Answer none = call("/front", null);
            String root = Trace.assertForwarded("Root={NEW}", null, none.body).get(0);
            assertEquals(List.of("Root=" + root), none.traceHeaders);
        } finally {
            Config.install(previous);
        }
        assertEquals(List.of(), call("/front", FULL).traceHeaders);
    }

    /** Installs settings with the response header on and, when not null, this {@code albtrace.max.header.bytes}. */
    protected static Config configure(Integer maxHeaderBytes) {
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        if (maxHeaderBytes != null) {
            p.setProperty(Config.MAX_HEADER_BYTES, maxHeaderBytes.toString());
        }
        return Config.install(Config.load(p, Map.of()));
    }

    // ---- SPEC 4.5: the context is bounded like what leaves ----

    /**
     * Sends {@code header} to {@code /handoff} with the response header on; asserts that the application, its log
     * MDC, the task it handed to the pool (and that task's MDC), the server's outer places and the response all had
     * {@code expected} (a template: {NEW} is a fresh Root), and that both calls forwarded {@code forwarded} ({ROOT}:
     * the context's Root field). Returns the context.
     */
    String assertBounded(String header, String expected, String forwarded) throws Exception {
        forget();
        calls = backService.received().size();
        Balancer.Answer answer = call("/handoff", header);
        assertEquals(200, answer.status, () -> adapter() + ": status " + answer.status);
        String context = answer.body;
        Trace.assertForwarded(expected, null, context);
        String root = Trace.rootOf(context);
        String seen = context + " | " + root + " | " + context;
        assertTrue(List.of(seen).equals(at("handoff")) && List.of(seen).equals(at("pool-task")),
                () -> "the MDC, and the task handed to the pool, have the same bounded context: " + describe());
        for (String place : outerPlaces()) {
            assertEquals(List.of(context), contextsAt(place), place);
        }
        assertEquals(List.of("Root=" + root), answer.traceHeaders);
        List<RecordingServer.Received> all = backCalls();
        assertEquals(List.of("/back/pool-task", "/back/handoff"),
                all.stream().map(c -> c.path).collect(Collectors.toList()));
        for (RecordingServer.Received c : all) {
            Trace.assertForwarded(forwarded.replace("{ROOT}", "Root=" + root), context, c.traceHeader());
        }
        nothingOnTheServersThreads();
        return context;
    }

    /** What was recorded, long values shown by their length and start. */
    private static String describe() {
        return OBSERVED.stream().map(v -> v.length() > 120 ? v.substring(0, 100) + "...(" + v.length() + ")" : v)
                .collect(Collectors.toList()).toString();
    }

    private String bounded(String header, String expected, String forwarded) throws Exception {
        Config previous = configure(null);
        try {
            return assertBounded(header, expected, forwarded);
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void aSixtyKilobyteHeaderIsTheRootAloneEverywhere() throws Exception {
        String big = ";Big=" + "x".repeat(60 * 1024);
        bounded(FULL + big, ROOT, "Self={NEW};{ROOT}");
        bounded("Root=1-bad" + big, "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void tenThousandFieldsAreTheRootAloneEverywhere() throws Exception {
        bounded(ROOT + Trace.customFields(10_000), ROOT, "Self={NEW};{ROOT}");
        bounded(Trace.customFields(10_000).substring(1), "Root={NEW}", "Self={NEW};{ROOT}");
    }

    @Test
    void exactlyAtTheDefaultBoundIsKeptOneByteOverIsTheRootAlone() throws Exception {
        String at = FULL + ";Pad=" + "p".repeat(7168 - FULL.length() - 5);
        assertEquals(7168, at.length());
        // kept whole; what leaves is over 7 KB with its new Self and the other headers: the size rule applies there
        bounded(at, at, "{ROOT}");
        bounded(at + "q", ROOT, "Self={NEW};{ROOT}");
        // no valid Root: counted with the new Root that takes its place
        String customs = "Pad=" + "p".repeat(7168 - 5 - Trace.ROOT.length() - 5);
        bounded("Root=1-bad;" + customs, "Root={NEW};" + customs, "{ROOT}");
        bounded("Root=1-bad;" + customs + "q", "Root={NEW}", "Self={NEW};{ROOT}");
        // and the next requests have their own context
        bounded(FULL, FULL, "Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb");
        bounded(OTHER, OTHER, "Self={NEW};" + OTHER);
        String fresh = bounded(null, "Root={NEW}", "Self={NEW};{ROOT}");
        assertTrue(!fresh.contains(Trace.ROOT) && !fresh.contains("1-11111111"), fresh);
    }

    @Test
    void exactlyAtAConfiguredBoundIsKeptOneByteOverIsTheRootAlone() throws Exception {
        Config previous = configure(600);
        try {
            String at = ROOT + ";Pad=" + "p".repeat(600 - ROOT.length() - 5);
            assertBounded(at, at, "{ROOT}");
            assertBounded(at + "q", ROOT, "Self={NEW};{ROOT}");
            assertBounded(ROOT + ";K=v", ROOT + ";K=v", "Self={NEW};{ROOT};K=v");
        } finally {
            Config.install(previous);
        }
    }

    // ---- SPEC 5.5: distinct Roots in flight together ----

    @Test
    void requestsWithDistinctRootsInFlightTogetherEachKeepTheirOwn() throws Exception {
        together = new CountDownLatch(2);
        ExecutorService balancers = Executors.newFixedThreadPool(2);
        try {
            Future<Balancer.Answer> a = balancers.submit(() -> call("/together/0", FULL));
            Future<Balancer.Answer> b = balancers.submit(() -> call("/together/1", OTHER));
            assertEquals(FULL, a.get(60, TimeUnit.SECONDS).body, "the first request's own context");
            assertEquals(OTHER, b.get(60, TimeUnit.SECONDS).body, "the second request's own context");
        } finally {
            balancers.shutdownNow();
        }
        for (RecordingServer.Received c : backCalls()) {
            if (c.path.startsWith("/back/together/0/")) {
                Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", FULL, c.traceHeader());
            } else {
                assertTrue(c.path.startsWith("/back/together/1/"), c::toString);
                Trace.assertForwarded("Self={NEW};" + OTHER, OTHER, c.traceHeader());
            }
        }
        assertEquals(4, backCalls().size());
        nothingOnTheServersThreads();
    }

    // ---- SPEC 8: the hop log ----

    /** The service name the hop log tests set. */
    public static final String SERVICE = "contract-svc";

    /**
     * Runs {@code body} with the hop log on, written to a new file (service {@value #SERVICE}), and returns its
     * {@code count} lines as {@link #hopLines} gives them. The settings are restored after, the file removed.
     */
    public static List<String> withHopLog(int count, Callable body) throws Exception {
        return withHopLog(SERVICE, body, file -> hopLines(file, count));
    }

    /**
     * Runs {@code body} with the hop log on, written to a new file (service {@code service}), and returns what
     * {@code reader} reads from the file after. The settings are restored after, the file removed.
     */
    public static List<String> withHopLog(String service, Callable body, Reader reader) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("albtrace-hoplog-", ".log");
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, file.toString());
        p.setProperty(Config.SERVICE_NAME, service);
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            body.call();
            return reader.read(file);
        } finally {
            Config.install(previous);
            java.nio.file.Files.delete(file);
        }
    }

    /** A piece of a test that may throw. */
    public interface Callable {
        void call() throws Exception;
    }

    /** Reads the hop log's lines a test wants from its file. */
    public interface Reader {
        List<String> read(java.nio.file.Path file) throws Exception;
    }

    /**
     * The hop log's {@code in} lines in {@code file} whose path does not start with {@code /back} (the back service,
     * a JDK server too, has its own), once there are {@code count} of them (they are written after the response is
     * sent); each with its time stamp and duration checked and replaced by {@code TS} and {@code MS}.
     */
    public static List<String> hopLines(java.nio.file.Path file, int count) throws Exception {
        return hopLines(file, count, "in", l -> !l.contains("\"path\":\"/back"));
    }

    /**
     * The hop log's lines of direction {@code dir} in {@code file} that {@code keep} keeps, once there are
     * {@code count} of them; each with its time stamp and duration checked and replaced by {@code TS} and {@code MS}.
     */
    public static List<String> hopLines(java.nio.file.Path file, int count, String dir,
            java.util.function.Predicate<String> keep) throws Exception {
        List<String> lines = List.of();
        for (int i = 0; i < 1500 && lines.size() < count; i++) {
            io.albtrace.core.HopLog.awaitWritten(20_000);
            lines = java.nio.file.Files.readAllLines(file).stream()
                    .filter(l -> l.contains("\"dir\":\"" + dir + "\"") && keep.test(l)).collect(Collectors.toList());
            if (lines.size() < count) {
                Thread.sleep(20);
            }
        }
        List<String> normal = new ArrayList<>();
        String ts = "\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"";
        for (String line : lines) {
            assertTrue(line.matches("\\{" + ts + ",\"dir\":\"" + dir + "\",.*,\"ms\":\\d+\\.\\d{3}(,.*)?}"), line);
            normal.add(line.replaceFirst(ts, "\"ts\":TS").replaceFirst("\"ms\":\\d+\\.\\d{3}", "\"ms\":MS"));
        }
        return normal;
    }

    /** The {@code in} line SPEC 8 asks for a GET, as {@link #hopLines} shows it. */
    public static String inLine(String root, String self, String hostPort, String path, Integer status,
            String trace) {
        return "{\"ts\":TS,\"dir\":\"in\",\"svc\":\"" + SERVICE + "\",\"root\":\"" + root + "\""
                + (self == null ? "" : ",\"self\":\"" + self + "\"") + ",\"method\":\"GET\",\"host\":\"" + hostPort
                + "\",\"path\":\"" + path + "\"" + (status == null ? "" : ",\"status\":" + status) + ",\"ms\":MS"
                + (trace == null ? "" : ",\"trace\":\"" + trace + "\"") + "}";
    }

    /** {@code lines} ordered by their path, then as they are (the order the lines were written in is not asserted). */
    private static List<String> byPath(List<String> lines) {
        List<String> sorted = new java.util.ArrayList<>(lines);
        sorted.sort(java.util.Comparator.comparing((String l) -> l.substring(l.indexOf("\"path\":")))
                .thenComparing(java.util.Comparator.naturalOrder()));
        return sorted;
    }

    /** {@code 127.0.0.1:port} of the server under test. */
    protected String hostPort() {
        return URI.create(server.url("/")).getAuthority();
    }

    @Test
    void theHopLogHasOneInLinePerRequestWithItsExactFields() throws Exception {
        String quoted = ROOT + ";Q=\"a\\b\"";
        Balancer.Answer[] answers = new Balancer.Answer[4];
        Integer[] failed = new Integer[1];
        List<String> lines = withHopLog(5, () -> {
            answers[0] = call("/front?secret=1&b=2", FULL);
            answers[1] = call("/front", ROOT);
            answers[2] = call("/front", null);
            answers[3] = call("/handoff", quoted);
            try {
                failed[0] = call("/throws", ROOT).status;
            } catch (IOException dropped) {
                // a server may drop the connection of a failed request: no status then
                server.settle();
            }
        });
        String root = Trace.rootOf(answers[2].body);
        String self = "1-63441c4a-12456789abcdef012345678";
        // a server may send a response before its handler has returned (the JDK's), so the next request can end
        // first: the lines are compared in the order of their paths, each exactly
        assertEquals(byPath(List.of(
                inLine(Trace.ROOT, self, hostPort(), "/front", 200, FULL),
                inLine(Trace.ROOT, null, hostPort(), "/front", 200, ROOT),
                inLine(root, null, hostPort(), "/front", 200, null),
                inLine(Trace.ROOT, null, hostPort(), "/handoff", 200, ROOT + ";Q=\\\"a\\\\b\\\""),
                inLine(Trace.ROOT, null, hostPort(), "/throws", failed[0], ROOT))), byPath(lines));
        for (Balancer.Answer a : answers) {
            assertEquals(200, a.status, a::toString);
        }
    }

    @Test
    void theHopLogOffWritesNothing() throws Exception {
        assertEquals(null, Config.current().hoplog());
        long before = io.albtrace.core.HopLog.submitted();
        assertEquals(200, call("/front", FULL).status);
        assertEquals(before, io.albtrace.core.HopLog.submitted(), "no line made");
    }

    // ---- SPEC 7: a failure inside the agent leaves the request served as without it ----

    static final IdSource BROKEN = HttpClientContract.BROKEN;

    @Test
    void aFailingIdSourceLeavesTheServerAsIfTheAgentWereAbsentAndNothingOnItsThreads() throws Exception {
        Config previous = configure(null);
        List<String> said = new ArrayList<>();
        try {
            Balancer.Answer none;
            Balancer.Answer full;
            Ids.use(BROKEN);
            try {
                none = StdErr.capture(() -> call("/front", null), said);
                full = StdErr.capture(() -> call("/front", FULL), said);
            } finally {
                Ids.use(null);
            }
            assertEquals(200, none.status);
            assertEquals(List.of(), none.traceHeaders, "no Root could be made: the response is as without the agent");
            assertEquals("null", none.body, "without a header no context could be made: served as without the agent");
            assertEquals(List.of("null | null | null"), at("front").subList(0, 1));
            assertEquals(200, full.status);
            List<RecordingServer.Received> all = backCalls();
            assertEquals(4, all.size(), all::toString);
            for (RecordingServer.Received r : all) {
                assertEquals(List.of(), r.traceHeaders(), "nothing could be forwarded: " + r);
            }
            nothingOnTheServersThreads();

            // with the identifier source back, the same threads enter requests again
            Balancer.Answer after = call("/front", null);
            assertEquals("Root=" + Trace.assertForwarded("Root={NEW}", null, after.body).get(0),
                    after.traceHeaders.get(0));
            assertEquals(List.of(after.body), after.traceHeaders.stream().map(h -> h).collect(Collectors.toList()));
        } finally {
            Config.install(previous);
        }
        for (String line : said) {
            assertTrue(!line.contains(" instrumentation failed") || line.contains("broken id source (test)"), line);
        }
    }
}

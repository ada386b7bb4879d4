package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smoke tests' view of a request through the front service ({@code io.albtrace.smoke.apps.FrontApp}) and on
 * to the back service ({@code BackApp}): the front's report, parsed, and the assertions of SPEC sections 3 to 5
 * over the whole chain. Shared by the JVM matrix and the container tests.
 */
final class Chain {

    /** Every client the front service has when all its libraries are there, in its order. */
    static final List<String> ALL_CLIENTS = List.of("okhttp", "okhttp-async", "apache5", "apache5-async", "apache4",
            "jdk", "jdk-async", "urlconnection");
    static final List<String> JDK_CLIENTS = List.of("jdk", "jdk-async", "urlconnection");

    static final String ROOT = Trace.ROOT;
    static final String SELF = "1-67891233-12456789abcdef012345678";
    /** An incoming header as a balancer that already saw the request writes it: Root, Self and a custom field. */
    static final String FULL = "Root=" + ROOT + ";Self=" + SELF + ";CalledFrom=app";
    static final String ROOT_ONLY = "Root=" + ROOT;
    /** No valid Root, an empty part, a part without '=', an empty name, a later Root: only Foo=bar survives. */
    static final String MALFORMED = "Root=1-zz;;Foo=bar;noequals;=x;Root=" + ROOT;

    /** The cases every chain test runs: incoming header, the context SPEC section 4 makes, each call's value. */
    enum Case {
        FULL_HEADER(Chain.FULL, Chain.FULL, "Root=" + ROOT + ";Self={NEW};CalledFrom=app"),
        ROOT_ONLY_HEADER(Chain.ROOT_ONLY, Chain.ROOT_ONLY, "Self={NEW};Root=" + ROOT),
        NO_HEADER(null, "Root={ROOT}", "Self={NEW};Root={ROOT}"),
        MALFORMED_HEADER(Chain.MALFORMED, "Root={ROOT};Foo=bar", "Self={NEW};Root={ROOT};Foo=bar");

        final String incoming;
        final String context;
        final String call;

        Case(String incoming, String context, String call) {
            this.incoming = incoming;
            this.context = context;
            this.call = call;
        }
    }

    /** What SLF4J's MDC should hold while the front serves: filled (a back end is there), empty, or no SLF4J. */
    enum Mdc { FILLED, EMPTY, NO_SLF4J }

    record Call(String client, String library, String outcome, List<String> values) {
        boolean ok() {
            return outcome.equals("ok");
        }
    }

    /**
     * The front's report: the incoming headers, the MDC, each call and, per client, the other tracing headers the back
     * service received from it (name to values, in order).
     */
    record Report(List<String> incoming, String mdc, List<Call> calls, Map<String, Map<String, List<String>>> others,
            String raw) {

        /** The other tracing headers the back service received from {@code client}'s call: name to values. */
        Map<String, List<String>> others(String client) {
            return others.getOrDefault(client, Map.of());
        }

        Call call(String client) {
            return calls.stream().filter(c -> c.client.equals(client)).findFirst()
                    .orElseThrow(() -> new AssertionError("the front made no " + client + " call:\n" + raw));
        }

        List<String> clients() {
            return calls.stream().map(Call::client).toList();
        }
    }

    private static final HttpClient TEST_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Chain() {
    }

    /**
     * {@code GET <front>/chain} from the test JVM (which has no agent) with the given incoming header (null: none),
     * and each of {@code appValues} as a value the front's calls set themselves.
     */
    static Report request(URI front, String incoming, String... appValues) {
        return requestPath(front, "/chain", incoming, appValues);
    }

    /** Like {@link #request(URI, String, String...)} on {@code path} ({@code /chain/<via>}: see FrontApp). */
    static Report requestPath(URI front, String path, String incoming, String... appValues) {
        StringBuilder query = new StringBuilder();
        for (String v : appValues) {
            query.append(query.length() == 0 ? "?" : "&").append("set=").append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(front.resolve(path + query)).timeout(Duration.ofSeconds(60));
        if (incoming != null) {
            b.header(Trace.NAME, incoming);
        }
        try {
            HttpResponse<String> r = TEST_CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), () -> "the front service answered " + r.statusCode() + ": " + r.body());
            return parse(r.body());
        } catch (IOException e) {
            throw new AssertionError("cannot reach the front service at " + front + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Parses the front's report (see FrontApp's javadoc for its lines). */
    static Report parse(String body) {
        List<String> incoming = new ArrayList<>();
        String mdc = null;
        List<Call> calls = new ArrayList<>();
        Map<String, Map<String, List<String>>> others = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "incoming" -> incoming.add(f[1]);
                case "mdc" -> mdc = f[1] + "\t" + f[2];
                case "call" -> calls.add(new Call(f[1], f[2], f[3], List.of(Arrays.copyOfRange(f, 4, f.length))));
                case "other" -> others.computeIfAbsent(f[1], k -> new LinkedHashMap<>())
                        .computeIfAbsent(f[2], k -> new ArrayList<>()).add(f[3]);
                default -> fail("unexpected line in the front's report: [" + line + "]\n" + body);
            }
        }
        return new Report(List.copyOf(incoming), mdc, List.copyOf(calls), others, body);
    }

    /**
     * Asserts SPEC sections 3 to 5 over the whole chain for one request: the front made exactly the calls
     * {@code clients}, each succeeded, and the back service saw exactly one header from each, the call template of
     * {@code c}; all calls share the context's Root; every Self is new and different from every other one and from
     * the incoming identifiers; the MDC holds the context as SPEC section 4.4 says.
     */
    static void assertChain(Report r, Case c, Collection<String> clients, Mdc mdc) {
        assertChain(r, c.incoming, c.context, c.call, clients, mdc);
    }

    /**
     * {@link #assertChain(Report, Case, Collection, Mdc)} for a request that came with {@code incoming} (null: none),
     * whose context is the template {@code context} and each of whose calls must deliver the template {@code call}.
     */
    static void assertChain(Report r, String incoming, String context, String call, Collection<String> clients,
            Mdc mdc) {
        assertChain(r, incoming, context, client -> call, clients, mdc);
    }

    /** {@link #assertChain(Report, String, String, String, Collection, Mdc)} with a template per client. */
    static void assertChain(Report r, String incoming, String context,
            java.util.function.Function<String, String> call, Collection<String> clients, Mdc mdc) {
        String where = "\n" + r.raw;
        assertEquals(incoming == null ? List.of() : List.of(incoming), r.incoming, "incoming header" + where);
        assertEquals(List.copyOf(clients), r.clients(), "the front's calls" + where);
        Ids ids = new Ids(incoming);
        for (Call made : r.calls) {
            assertTrue(made.ok(), made.client + " failed: " + made.outcome + where);
            assertEquals(1, made.values.size(), made.client + ": exactly one " + Trace.NAME + " must reach the back"
                    + " service, it saw " + made.values + where);
            ids.match(call.apply(made.client), made.values.get(0), made.client + " (" + made.library + ")" + where);
        }
        switch (mdc) {
            case FILLED -> {
                assertNotNull(r.mdc, "no mdc line: the front has no SLF4J" + where);
                String[] f = r.mdc.split("\t");
                ids.match(context, f[0], "MDC amzn.trace.id" + where);
                ids.match(root(context), f[1], "MDC amzn.trace.root" + where);
            }
            case EMPTY -> assertEquals("-\t-", r.mdc, "SLF4J without a back end: the MDC is left alone" + where);
            case NO_SLF4J -> assertEquals(null, r.mdc, "the front has no SLF4J" + where);
        }
    }

    /** Asserts that nothing was added: each call reached the back service with exactly the values the app set. */
    static void assertUnchanged(Report r, Collection<String> clients, List<String> appValues) {
        assertEquals(List.copyOf(clients), r.clients(), "the front's calls\n" + r.raw);
        for (Call call : r.calls) {
            assertTrue(call.ok(), call.client + " failed: " + call.outcome + "\n" + r.raw);
            assertEquals(appValues, call.values, call.client + ": the header must leave as the application set it\n"
                    + r.raw);
        }
    }

    private static String root(String context) {
        for (String part : context.split(";")) {
            if (part.startsWith("Root=")) {
                return part.substring(5);
            }
        }
        throw new IllegalArgumentException(context);
    }

    /**
     * Matches values against templates where {NEW} is a fresh identifier, different from every other one seen,
     * {ROOT} is the one Root the front made for this request: the same wherever it appears, and {SPAN} another
     * agent's span identifier (16 hex digits, a {@code Parent}), different from every other one seen.
     */
    private static final class Ids {
        private static final Pattern ANY_ID = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");
        private static final String SPAN = "[0-9a-f]{16}";
        private final Set<String> seen = new HashSet<>();
        private final Set<String> spans = new HashSet<>();
        private String root;

        Ids(String incoming) {
            if (incoming != null) {
                Matcher m = ANY_ID.matcher(incoming);
                while (m.find()) {
                    seen.add(m.group().toLowerCase(Locale.ROOT));
                }
                Matcher parent = Pattern.compile("Parent=(" + SPAN + ")").matcher(incoming);
                while (parent.find()) {
                    spans.add(parent.group(1));
                }
            }
        }

        void match(String template, String actual, String what) {
            List<String> kinds = new ArrayList<>();
            StringBuilder regex = new StringBuilder();
            Matcher t = Pattern.compile("\\{NEW}|\\{ROOT}|\\{SPAN}").matcher(template);
            int at = 0;
            while (t.find()) {
                regex.append(Pattern.quote(template.substring(at, t.start()))).append('(')
                        .append(t.group().equals("{SPAN}") ? SPAN : Trace.NEW).append(')');
                kinds.add(t.group());
                at = t.end();
            }
            regex.append(Pattern.quote(template.substring(at)));
            Matcher m = Pattern.compile(regex.toString()).matcher(actual);
            assertTrue(m.matches(), "expected " + template + " but got [" + actual + "] in " + what);
            Set<String> fresh = new LinkedHashSet<>();
            for (int g = 1; g <= m.groupCount(); g++) {
                String id = m.group(g);
                if (kinds.get(g - 1).equals("{SPAN}")) {
                    assertTrue(spans.add(id), "span " + id + " is not fresh in " + what);
                } else if (kinds.get(g - 1).equals("{ROOT}")) {
                    if (root == null) {
                        assertTrue(seen.add(id), "the new Root " + id + " is not fresh in " + what);
                        root = id;
                    } else {
                        assertEquals(root, id, "every call must carry the request's one Root: " + what);
                    }
                } else {
                    assertTrue(fresh.add(id) && seen.add(id), "identifier " + id + " is not fresh in " + what);
                }
            }
        }
    }
}

package io.albtrace.contracts;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One way an application sends requests with an HTTP client library, as {@link HttpClientContract} drives it: a
 * client of that library configured for one protocol, in clear text or over TLS. A module's test implements one per
 * way it supports (OkHttp over HTTP/1.1, OkHttp over h2c, Apache's async client over h2 with TLS, ...) and says which
 * {@link Feature}s the way has; the contract runs every test that applies and skips, with the reason, what does not.
 *
 * <p>An adapter only translates: it makes the library's request object from a {@link Request} (the headers in the
 * order given, several copies of one name included), sends it synchronously or asynchronously from the calling thread,
 * and reads the whole response. It never touches the trace header or the context itself.
 */
public abstract class HttpClientAdapter {

    /** The protocol the way speaks: HTTP/1.1, or HTTP/2 ({@code h2c} in clear text, {@code h2} over TLS). */
    public enum Protocol {
        HTTP_1_1("HTTP/1.1"), HTTP_2("HTTP/2.0");

        /** As the server reports it. */
        public final String seen;

        Protocol(String seen) {
            this.seen = seen;
        }
    }

    /** What a way can do besides sending a request; the tests of a feature the way lacks are skipped. */
    public enum Feature {
        /** {@link Client#submit}: the request is sent later, on the client's own threads. */
        ASYNC,
        /** Several {@link Client#send} calls on one client from several threads are in flight together. */
        CONCURRENT,
        /** Follows redirects on its own (301, 302, 303, 307), to another origin too. */
        REDIRECTS,
        /** Follows a 302 of a {@code POST} with a {@code GET} (303 always is). */
        REDIRECT_302_POST_AS_GET,
        /** Sends the request again on its own after a {@code 408} (OkHttp). */
        RETRY_408,
        /** Sends the request again on its own after a {@code 503} with {@code Retry-After: 0}. */
        RETRY_503,
        /** Answers {@code 401} with {@code WWW-Authenticate: Basic} by sending the request again with credentials. */
        AUTHENTICATION,
        /** The application's request object can be sent again ({@link Client#request} once, {@link Client#send} twice). */
        REUSABLE_REQUEST,
        /** Through an HTTP proxy to an {@code http:} origin: the request goes to the proxy in absolute form. */
        PROXY,
        /** Through an HTTP proxy to an {@code https:} origin: a {@code CONNECT} tunnel, the request inside it. */
        PROXY_TUNNEL
    }

    /** A request as the contract asks for it. */
    public static final class Request {
        public final String method;
        public final String url;
        /** Name, value, name, value... in the order the application adds them. */
        public final List<String> headers;
        /** The body of a {@code POST} ({@code "body"}, text/plain), or null. */
        public final String body;

        public Request(String method, String url, String... headers) {
            if (headers.length % 2 != 0) {
                throw new IllegalArgumentException("headers come as name, value pairs: " + Arrays.toString(headers));
            }
            this.method = method;
            this.url = url;
            this.headers = List.of(headers);
            this.body = "POST".equals(method) ? "body" : null;
        }

        @Override
        public String toString() {
            return method + " " + url;
        }
    }

    /** What came back: the status and the whole body. */
    public static final class Response {
        /** {@link #callbackContext} of a client that has no callback of its own, or whose adapter does not look. */
        public static final String NOT_SEEN = "(not seen)";

        public final int status;
        public final String body;
        /** The context current in the client's own completion callback (OkHttp's {@code Callback}), or NOT_SEEN. */
        public final String callbackContext;

        public Response(int status, String body) {
            this(status, body, NOT_SEEN);
        }

        public Response(int status, String body, String callbackContext) {
            this.status = status;
            this.body = body;
            this.callbackContext = callbackContext;
        }
    }

    /** A request submitted asynchronously: waiting for it gives the response. */
    public interface Pending {
        Response await() throws Exception;
    }

    /** A client of the way, with its settings (proxy, TLS trusting the test certificate, redirects, ...). */
    public interface Client extends AutoCloseable {

        /** The application's request object for {@code request}: what it would send (once, or again). */
        Object request(Request request) throws Exception;

        /** Sends the request object and reads the whole response, on the calling thread. */
        Response send(Object request) throws Exception;

        /** {@link Feature#ASYNC}: starts sending the request object and returns at once. */
        default Pending submit(Object request) throws Exception {
            throw new UnsupportedOperationException("not asynchronous");
        }

        /**
         * The trace headers the application's request object holds now, to check that the agent left it as the
         * application made it; null when the library does not show them (OkHttp's own {@code Request} included, as
         * the advice never changes it).
         */
        default List<String> traceHeadersOf(Object request) {
            return null;
        }

        /** The context current on the client's own threads now (null: none), or NOT_SEEN when they are not reachable. */
        default String contextOnItsThreads() throws Exception {
            return Response.NOT_SEEN;
        }

        @Override
        default void close() throws Exception {
        }
    }

    private final String name;
    public final Protocol protocol;
    /** True: the way talks TLS ({@code https:}); the client trusts the test certificate and checks host names. */
    public final boolean tls;

    protected HttpClientAdapter(String name, Protocol protocol, boolean tls) {
        this.name = name;
        this.protocol = protocol;
        this.tls = tls;
    }

    /** The instrumentation that sends this way's header, as the agent's warnings name it ({@code okhttp}, ...). */
    public abstract String instrumentation();

    public abstract Set<Feature> features();

    /**
     * True (the rule): when the agent fails inside this way's advice it says so, once per instrumentation in the JVM
     * ({@code [albtrace] NAME instrumentation failed ...}). False for a way where the agent may also handle the
     * failure without a word (the contract then checks that it says it at most once).
     */
    public boolean saysItsFailures() {
        return true;
    }

    /**
     * Why this way writes no hop log {@code out} line (SPEC 8), or null when it does (the rule): the contract's hop
     * log tests are skipped with the reason.
     */
    public String hopLogUnsupported() {
        return null;
    }

    /**
     * Why this way cannot be tested here (this library version or JDK cannot do it), directly or through a proxy, to
     * a clear-text or a TLS origin; null when it can.
     */
    public String unsupported(boolean proxied, boolean tlsOrigin) {
        return null;
    }

    /**
     * A client of this way, for requests to {@code server}: with {@code proxy} (not null) a new client that sends
     * through that HTTP proxy, to be closed after the test; without, a client that may be kept and shared between
     * tests. Whatever the client must send before it can speak the way's protocol (the JDK client's h2c upgrade) is
     * sent here: the contract forgets what the server received before a test's requests.
     */
    public abstract Client client(ContractServer server, InetSocketAddress proxy) throws Exception;

    /**
     * Closes the clients the way kept between tests ({@link #client} without a proxy); called once the test class is
     * done. (An adapter is not {@link AutoCloseable}: JUnit would close it after each test it is an argument of.)
     */
    public void closeClients() throws Exception {
    }

    @Override
    public String toString() {
        return name + (protocol == Protocol.HTTP_2 ? (tls ? " h2" : " h2c") : tls ? " https" : "");
    }
}

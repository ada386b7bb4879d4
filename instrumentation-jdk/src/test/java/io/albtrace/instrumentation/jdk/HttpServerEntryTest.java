package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.SelfSignedTls;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.util.List;
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
 * The JDK's {@code HttpServer} as a server entry point (SPEC section 4), what only it has: filters and handlers nested
 * in a chain of the application's bind once, an {@code HttpsServer} is an entry point too, and exchanges the
 * application wraps (response headers that refuse the header, or throw) leave nothing on a pooled thread. The
 * contract every server keeps runs in {@link HttpServerContractTest}.
 */
@ExtendWith(InstalledAgent.class)
class HttpServerEntryTest {

    static final String FULL = "Self=1-63441c4a-12456789abcdef012345678;Root=" + Trace.ROOT + ";CalledFrom=lb";

    RecordingServer back;
    Front front;
    ExecutorService executor;
    /** The context each handler run saw, in order. */
    final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        back = new RecordingServer();
        executor = Executors.newSingleThreadExecutor();
        front = new Front(executor, null);
        // the handler calls the back twice, once with each instrumented client, and answers with its context
        front.handle("/front", exchange -> {
            seen.add(String.valueOf(Context.current()));
            try {
                assertEquals(200, Front.clientGet(back.url("/by-client")));
                assertEquals(200, Front.connectionGet(back.url("/by-connection")));
            } catch (Exception e) {
                throw new IOException(e);
            }
            Front.respond(exchange, 200, String.valueOf(Context.current()));
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            front.close();
        } finally {
            back.close();
        }
    }

    @Test
    void filtersAndNestedHandlersBindOnce() throws Exception {
        List<String> inFilter = new CopyOnWriteArrayList<>();
        HttpHandler inner = exchange -> Front.respond(exchange, 200, String.valueOf(Context.current()));
        HttpHandler outer = exchange -> {
            seen.add(String.valueOf(Context.current()));
            // a handler that delegates through a chain of its own: still one binding
            new Filter.Chain(List.of(), inner).doFilter(exchange);
        };
        com.sun.net.httpserver.HttpContext ctx = front.server.createContext("/filtered", outer);
        for (int i = 0; i < 2; i++) {
            ctx.getFilters().add(new Filter() {
                @Override
                public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                    inFilter.add(String.valueOf(Context.current()));
                    chain.doFilter(exchange);
                }

                @Override
                public String description() {
                    return "records the context";
                }
            });
        }
        Front.Called r = front.call("/filtered", null); // no header: a second binding would make another Root
        Trace.assertForwarded("Root={NEW}", null, r.body);
        assertEquals(List.of(r.body, r.body), inFilter);
        assertEquals(List.of(r.body), seen);
    }

    @Test
    void anHttpsServerIsAnEntryPointToo() throws Exception {
        try (Front tls = new Front(Executors.newSingleThreadExecutor(), SelfSignedTls.get().context)) {
            tls.handle("/tls", exchange -> {
                try {
                    Front.connectionGet(back.url("/from-tls"));
                } catch (IOException e) {
                    throw e;
                }
                Front.respond(exchange, 200, String.valueOf(Context.current()));
            });
            Front.Called r = tls.call("/tls", FULL);
            assertEquals(FULL, r.body);
            Trace.assertForwarded("Self={NEW};Root=" + Trace.ROOT + ";CalledFrom=lb", FULL,
                    back.only().traceHeader());
        }
    }

    /** Response headers that refuse every change, as an application's wrapper may have. */
    static final class RefusingHeaders extends Headers {
        @Override
        public List<String> put(String key, List<String> value) {
            throw new UnsupportedOperationException("read-only response headers (test)");
        }

        @Override
        public void set(String key, String value) {
            throw new UnsupportedOperationException("read-only response headers (test)");
        }

        @Override
        public void add(String key, String value) {
            throw new UnsupportedOperationException("read-only response headers (test)");
        }

        @Override
        public void putAll(java.util.Map<? extends String, ? extends List<String>> map) {
            throw new UnsupportedOperationException("read-only response headers (test)");
        }
    }

    /** An application's exchange wrapper: delegates everything but the response headers. */
    static final class Wrapped extends HttpExchange {
        final HttpExchange real;
        final boolean responseHeadersThrow;

        Wrapped(HttpExchange real, boolean responseHeadersThrow) {
            this.real = real;
            this.responseHeadersThrow = responseHeadersThrow;
        }

        @Override
        public Headers getResponseHeaders() {
            if (responseHeadersThrow) {
                throw new IllegalStateException("no response headers (test)");
            }
            return new RefusingHeaders();
        }

        @Override
        public Headers getRequestHeaders() {
            return real.getRequestHeaders();
        }

        @Override
        public java.net.URI getRequestURI() {
            return real.getRequestURI();
        }

        @Override
        public String getRequestMethod() {
            return real.getRequestMethod();
        }

        @Override
        public com.sun.net.httpserver.HttpContext getHttpContext() {
            return real.getHttpContext();
        }

        @Override
        public void close() {
            real.close();
        }

        @Override
        public java.io.InputStream getRequestBody() {
            return real.getRequestBody();
        }

        @Override
        public java.io.OutputStream getResponseBody() {
            return real.getResponseBody();
        }

        @Override
        public void sendResponseHeaders(int code, long length) throws IOException {
            real.sendResponseHeaders(code, length);
        }

        @Override
        public java.net.InetSocketAddress getRemoteAddress() {
            return real.getRemoteAddress();
        }

        @Override
        public int getResponseCode() {
            return real.getResponseCode();
        }

        @Override
        public java.net.InetSocketAddress getLocalAddress() {
            return real.getLocalAddress();
        }

        @Override
        public String getProtocol() {
            return real.getProtocol();
        }

        @Override
        public Object getAttribute(String name) {
            return real.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            real.setAttribute(name, value);
        }

        @Override
        public void setStreams(java.io.InputStream in, java.io.OutputStream out) {
            real.setStreams(in, out);
        }

        @Override
        public com.sun.net.httpserver.HttpPrincipal getPrincipal() {
            return real.getPrincipal();
        }
    }

    /**
     * The front hands each request over to one worker thread, which runs it through a chain of its own with a
     * wrapped exchange: on that thread the chain is the outermost entry point. With the response header asked for, the
     * wrapper's response headers refuse it ({@code responseHeadersThrow}: getResponseHeaders itself throws).
     * Returns what the two requests, with {@link #FULL} and then with no header, answered, and checks that the
     * worker thread has no context and no MDC key afterwards.
     */
    List<Front.Called> handOffTwice(boolean responseHeadersThrow) throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        HttpHandler inner = exchange -> {
            seen.add(String.valueOf(Context.current()) + " | " + MDC.get("amzn.trace.id"));
            Front.respond(exchange, 200, String.valueOf(Context.current()));
        };
        front.handle("/handoff", exchange -> {
            HttpExchange wrapped = new Wrapped(exchange, responseHeadersThrow);
            // handed over with no context bound, so the executors instrumentation carries none to the worker:
            // the worker's own chain is the only entry point there
            try (io.albtrace.core.Scope none = Context.bind(null)) {
                worker.submit(() -> {
                    new Filter.Chain(List.of(), inner).doFilter(wrapped);
                    return null;
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
        });
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, java.util.Map.of()));
        try {
            Front.Called first = front.call("/handoff", FULL);
            Front.Called second = front.call("/handoff", null);
            assertEquals(200, first.code);
            assertEquals(200, second.code);
            // the server's own thread entered the request too, with the real exchange: its header is set there
            assertEquals("Root=" + Trace.ROOT, first.responseTraceHeader);
            assertEquals("null null null", worker.submit(() -> Context.current() + " " + MDC.get("amzn.trace.root")
                    + " " + MDC.get("amzn.trace.id")).get(10, TimeUnit.SECONDS),
                    "the worker thread is left with no context and no MDC key");
            return List.of(first, second);
        } finally {
            Config.install(previous);
            worker.shutdownNow();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void responseHeadersThatRefuseTheHeaderLeaveNothingOnThePooledThread() throws Exception {
        List<Front.Called> r = handOffTwice(false);
        assertEquals(FULL, r.get(0).body, "the request is entered all the same");
        List<String> root = Trace.assertForwarded("Root={NEW}", FULL, r.get(1).body);
        assertEquals(List.of(FULL + " | " + FULL, r.get(1).body + " | " + r.get(1).body), seen,
                "the next request on the thread gets a new Root, and the MDC follows");
        assertTrue(!r.get(1).body.contains(Trace.ROOT) && root.size() == 1);
    }

    @Test
    void responseHeadersThatThrowLeaveNothingOnThePooledThread() throws Exception {
        List<Front.Called> r = handOffTwice(true);
        // this exchange cannot be served with the agent: it is served as if the agent were absent
        assertEquals("null", r.get(0).body);
        assertEquals("null", r.get(1).body, "the next request does not see the previous one's context");
        assertEquals(List.of("null | null", "null | null"), seen);
    }
}

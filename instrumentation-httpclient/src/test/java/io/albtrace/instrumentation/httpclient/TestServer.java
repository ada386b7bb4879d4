package io.albtrace.instrumentation.httpclient;

import io.albtrace.testing.Trace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real server on 127.0.0.1 that records every request it receives: its path, protocol (and whether over TLS), every
 * {@code X-Amzn-Trace-Id} copy (the name matched case-insensitively) and all its headers. It answers
 * {@code 200 ok} unless a test gives a path its own {@link Reply}.
 */
abstract class TestServer implements AutoCloseable {

    /** One received request. */
    static final class Received {
        final String path;
        final String protocol;
        /** True: the request came over TLS. */
        final boolean secure;
        /** Every X-Amzn-Trace-Id value, in order; empty when there was none. */
        final List<String> traceHeaders;
        /** Every header line as name and value. */
        final List<Map.Entry<String, String>> headers;

        Received(String path, String protocol, List<Map.Entry<String, String>> headers) {
            this(path, protocol, false, headers);
        }

        Received(String path, String protocol, boolean secure, List<Map.Entry<String, String>> headers) {
            this.path = path;
            this.protocol = protocol;
            this.secure = secure;
            this.headers = Collections.unmodifiableList(headers);
            List<String> trace = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(Trace.NAME)) {
                    trace.add(h.getValue());
                }
            }
            this.traceHeaders = Collections.unmodifiableList(trace);
        }

        /** The first value of header {@code name} (any case), or null. */
        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        /** The one trace header; fails unless exactly one copy arrived. */
        String traceHeader() {
            if (traceHeaders.size() != 1) {
                throw new AssertionError("expected exactly one X-Amzn-Trace-Id on " + path + ", got " + traceHeaders);
            }
            return traceHeaders.get(0);
        }

        /** All request headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        int headerBytes() {
            int n = 0;
            for (Map.Entry<String, String> h : headers) {
                n += h.getKey().getBytes(StandardCharsets.ISO_8859_1).length
                        + h.getValue().getBytes(StandardCharsets.ISO_8859_1).length + 4;
            }
            return n;
        }

        @Override
        public String toString() {
            return path + " " + protocol + (secure ? " TLS " : " ") + traceHeaders;
        }
    }

    /** A test's own answer for a path: the status and the headers to send, the body empty. */
    static final class Reply {
        final int status;
        final Map<String, String> headers;

        Reply(int status, Map<String, String> headers) {
            this.status = status;
            this.headers = headers;
        }

        static Reply redirect(int status, String location) {
            return new Reply(status, Map.of("Location", location));
        }
    }

    /** Chooses the reply; {@code count} is how many requests this path has had, this one included. */
    interface Answer {
        Reply reply(int count);
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /**
     * A clear-text HTTP/1.1 server (the JDK's), a clear-text HTTP/2 one (Jetty, h2c with prior knowledge only), or
     * for {@code tls} a TLS one that speaks HTTP/2 or HTTP/1.1 as ALPN chooses (Jetty).
     */
    static TestServer start(boolean h2, boolean tls) throws Exception {
        if (tls) {
            return JettyServer.tls();
        }
        return h2 ? JettyServer.h2c() : new Http1Server();
    }

    /** A clear-text server: HTTP/2 (h2c) or HTTP/1.1. */
    static TestServer start(boolean h2) throws Exception {
        return start(h2, false);
    }

    abstract int port();

    /** {@code http}, or {@code https} for a TLS server. */
    String scheme() {
        return "http";
    }

    String url(String path) {
        return scheme() + "://127.0.0.1:" + port() + path;
    }

    TestServer answer(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    List<Received> received() {
        return Collections.unmodifiableList(new ArrayList<>(received));
    }

    /** The only request received; fails when there were none or several. */
    Received only() {
        List<Received> all = received();
        if (all.size() != 1) {
            throw new AssertionError("expected one request, got " + all);
        }
        return all.get(0);
    }

    /** Records a request and says how to answer it: null for 200 ok. */
    Reply record(Received r) {
        received.add(r);
        int count = counts.merge(r.path, 1, Integer::sum);
        Answer answer = answers.get(r.path);
        return answer == null ? null : answer.reply(count);
    }
}

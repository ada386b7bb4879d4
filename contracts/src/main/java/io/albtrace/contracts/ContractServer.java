package io.albtrace.contracts;

import io.albtrace.testing.HeaderLines;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server the client contract sends to: Jetty 12 on 127.0.0.1 with two connectors, and a record of every request
 * exactly as it arrived (path, method, protocol, whether over TLS, every header in order).
 * <ul>
 *   <li>clear text ({@code http:}): HTTP/1.1, and HTTP/2 over clear text both ways a client asks for it, by the
 *       HTTP/1.1 upgrade ({@code Upgrade: h2c}, the JDK client) and with prior knowledge (OkHttp, Apache's HTTP/2
 *       clients);</li>
 *   <li>TLS ({@code https:}, the {@link SelfSignedTls} certificate): ALPN chooses HTTP/2 ({@code h2}) for a client
 *       that offers it and HTTP/1.1 otherwise, a client that sends no ALPN included.</li>
 * </ul>
 * Every request is answered {@code 200 ok} unless a test gave its path an {@link Answer}. The header size limit is
 * 64 KiB, far over the agent's 7,168-byte rule, so that what a client sends over the rule arrives. HTTP/2 header names
 * arrive in lower case, as HTTP/2 sends them; pseudo-headers are not among the headers.
 */
public final class ContractServer implements AutoCloseable {

    /** One request as it arrived. */
    public static final class Received {
        public final String path;
        public final String method;
        /** {@code HTTP/1.1} or {@code HTTP/2.0}. */
        public final String protocol;
        /** True: the request came over TLS. */
        public final boolean secure;
        /** Every header as name (as sent) and value, in order. */
        public final List<Map.Entry<String, String>> headers;

        Received(String path, String method, String protocol, boolean secure, List<Map.Entry<String, String>> headers) {
            this.path = path;
            this.method = method;
            this.protocol = protocol;
            this.secure = secure;
            this.headers = Collections.unmodifiableList(headers);
        }

        /** Every X-Amzn-Trace-Id value (the name in any case), in order; empty when none came. */
        public List<String> traceHeaders() {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(Trace.NAME)).map(Map.Entry::getValue)
                    .collect(Collectors.toList());
        }

        /** The one trace header; fails unless exactly one copy arrived. */
        public String traceHeader() {
            List<String> trace = traceHeaders();
            if (trace.size() != 1) {
                throw new AssertionError("expected exactly one X-Amzn-Trace-Id on " + this + ", got " + trace);
            }
            return trace.get(0);
        }

        /** The first value of header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        /** All the request's headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        public int headerBytes() {
            return HeaderLines.bytes(headers);
        }

        @Override
        public String toString() {
            return method + " " + path + " " + protocol + (secure ? " TLS " : " ") + traceHeaders();
        }
    }

    /** A test's own answer: the status and the headers to send, with an empty body; null for {@code 200 ok}. */
    public static final class Reply {
        final int status;
        final Map<String, String> headers;

        public Reply(int status, Map<String, String> headers) {
            this.status = status;
            this.headers = headers;
        }

        public static Reply redirect(int status, String location) {
            return new Reply(status, Map.of("Location", location));
        }
    }

    /** Chooses the reply to a request; {@code count} is how many requests its path has had, this one included. */
    public interface Answer {
        Reply reply(Received request, int count) throws Exception;
    }

    private final Server jetty = new Server();
    private final ServerConnector clear;
    private final ServerConnector tls;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    public ContractServer() throws Exception {
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(64 * 1024);
        clear = new ServerConnector(jetty, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));

        HttpConfiguration secure = new HttpConfiguration(config);
        secure.addCustomizer(new SecureRequestCustomizer());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(SelfSignedTls.get().keyStore);
        ssl.setKeyStorePassword(SelfSignedTls.PASSWORD);
        ssl.setKeyManagerPassword(SelfSignedTls.PASSWORD);
        HttpConnectionFactory http1 = new HttpConnectionFactory(secure);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol(http1.getProtocol());
        tls = new ServerConnector(jetty, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                new HTTP2ServerConnectionFactory(secure), http1);
        for (ServerConnector connector : List.of(clear, tls)) {
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            jetty.addConnector(connector);
        }
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.consumeAll(request);
                List<Map.Entry<String, String>> all = new ArrayList<>();
                for (HttpField f : request.getHeaders()) {
                    all.add(Map.entry(f.getName(), f.getValue()));
                }
                Received r = new Received(request.getHttpURI().getPath(), request.getMethod(),
                        request.getConnectionMetaData().getHttpVersion().asString(),
                        request.getConnectionMetaData().isSecure(), all);
                received.add(r);
                int count = counts.merge(r.path, 1, Integer::sum);
                Answer answer = answers.get(r.path);
                Reply reply = answer == null ? null : answer.reply(r, count);
                if (reply == null) {
                    response.setStatus(200);
                    Content.Sink.write(response, true, "ok", callback);
                } else {
                    response.setStatus(reply.status);
                    reply.headers.forEach((k, v) -> response.getHeaders().put(k, v));
                    response.write(true, null, callback);
                }
                return true;
            }
        });
        jetty.start();
    }

    /** The port of the clear-text or the TLS connector. */
    public int port(boolean overTls) {
        return (overTls ? tls : clear).getLocalPort();
    }

    /** {@code http://127.0.0.1:port/path}, or {@code https://...} on the TLS connector. */
    public String url(boolean overTls, String path) {
        return (overTls ? "https" : "http") + "://127.0.0.1:" + port(overTls) + path;
    }

    /** Makes {@code path} answer with {@code answer}. */
    public ContractServer answer(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    /** Forgets what was received and every answer: the state of a server just started. */
    public void reset() {
        received.clear();
        answers.clear();
        counts.clear();
    }

    /** What was received since the last {@link #reset}, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** What {@code path} received, in order. */
    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path.equals(path)).collect(Collectors.toList());
    }

    /** The only request received; fails when there were none or several. */
    public Received only() {
        List<Received> all = received();
        if (all.size() != 1) {
            throw new AssertionError("expected one request, got " + all);
        }
        return all.get(0);
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}

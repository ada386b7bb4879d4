package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC 3 and 5 over HTTP/2 (cleartext, prior knowledge): OkHttp's HTTP/2 codec sends the same header. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class Http2Test extends OkHttpTestSupport {

    /** One request as Jetty received it. */
    static final class Seen {
        final String version;
        final String path;
        final List<String> trace = new ArrayList<>();
        /** All the headers the stream carried, each counted as {@code name: value\r\n} (pseudo-headers are not). */
        int headerBytes;

        Seen(String version, String path) {
            this.version = version;
            this.path = path;
        }

        String only() {
            assertEquals("HTTP/2.0", version, "the request came as an HTTP/2 stream");
            assertEquals(1, trace.size(), trace::toString);
            return trace.get(0);
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private Server jetty;
    private int port;
    private OkHttpClient h2;

    @BeforeEach
    void startJetty() throws Exception {
        jetty = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(64 * 1024); // the size rule's test sends more than Jetty's default 8 KB
        ServerConnector connector = new ServerConnector(jetty, new HTTP2CServerConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    Callback callback) {
                Seen s = new Seen(request.getConnectionMetaData().getHttpVersion().asString(),
                        request.getHttpURI().getPath());
                for (HttpField f : request.getHeaders()) {
                    s.headerBytes += f.getName().length() + f.getValue().length() + 4;
                    if (f.getName().equalsIgnoreCase(Trace.NAME)) {
                        s.trace.add(f.getValue());
                    }
                }
                seen.add(s);
                if ("/from".equals(s.path)) {
                    response.setStatus(302);
                    response.getHeaders().put("Location", "/to");
                    callback.succeeded();
                    return true;
                }
                response.setStatus(200);
                Content.Sink.write(response, true, "ok", callback);
                return true;
            }
        });
        jetty.start();
        port = connector.getLocalPort();
        h2 = new OkHttpClient.Builder().protocols(Collections.singletonList(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    }

    @AfterEach
    void stopJetty() throws Exception {
        try {
            close(h2);
        } finally {
            jetty.stop();
        }
    }

    private String send(Request request) throws Exception {
        try (Response response = h2.newCall(request).execute()) {
            assertEquals(Protocol.H2_PRIOR_KNOWLEDGE, response.protocol());
            assertEquals(200, response.code());
            return response.body().string();
        }
    }

    private Request.Builder h2Request(String path) {
        return new Request.Builder().url("http://127.0.0.1:" + port + path);
    }

    @Test
    void theContextIsForwarded() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            assertEquals("ok", send(h2Request("/ctx").build()));
        }
        assertEquals(1, seen.size());
        Trace.self(seen.get(0).only(), Trace.CONTEXT);
    }

    @Test
    void withoutContextANewRoot() throws Exception {
        send(h2Request("/none").build());
        Trace.assertForwarded("Root={NEW}", null, seen.get(0).only());
    }

    @Test
    void theApplicationsFirstCopyWinsAndOneLeaves() throws Exception {
        String first = "Root=1-67891233-abcdef012345678912345678;K=first";
        try (Scope s = Context.bind("Root=1-11111111-111111111111111111111111")) {
            send(h2Request("/own").addHeader("x-amzn-trace-id", first)
                    .addHeader(Trace.NAME, "Root=1-22222222-222222222222222222222222").build());
        }
        Trace.self(seen.get(0).only(), first);
    }

    @Test
    void aRedirectKeepsTheValue() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(h2Request("/from").build());
        }
        assertEquals(2, seen.size());
        assertEquals("/to", seen.get(1).path);
        Trace.self(seen.get(0).only(), Trace.CONTEXT);
        assertEquals(seen.get(0).only(), seen.get(1).only());
    }

    /**
     * The size rule counts the headers the stream carries: not OkHttp's {@code Host} (sent as {@code :authority}) nor
     * its {@code Connection: Keep-Alive}, which OkHttp's HTTP/2 codec leaves out.
     */
    @Test
    void exactlyAtTheBoundTheWholeHeaderLeavesOneByteOverTheRoot() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(h2Request("/probe").header("X-Pad", "a").build());
            int pad = 1 + 7168 - seen.get(0).headerBytes;
            send(h2Request("/at").header("X-Pad", "a".repeat(pad)).build());
            send(h2Request("/over").header("X-Pad", "a".repeat(pad + 1)).build());
        }
        Trace.self(seen.get(0).only(), Trace.CONTEXT);
        assertEquals(7168, seen.get(1).headerBytes, "all headers together are exactly the bound");
        Trace.self(seen.get(1).only(), Trace.CONTEXT);
        assertEquals("Root=" + Trace.ROOT, seen.get(2).only());
    }

    @Test
    void overTheBoundOnlyTheRoot() throws Exception {
        Request.Builder b = h2Request("/big");
        for (int i = 0; i < 100; i++) {
            b.addHeader("X-Many-" + i, "v".repeat(70));
        }
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            send(b.build());
        }
        assertEquals("Root=" + Trace.ROOT, seen.get(0).only());
        assertTrue(seen.get(0).trace.size() == 1);
    }
}

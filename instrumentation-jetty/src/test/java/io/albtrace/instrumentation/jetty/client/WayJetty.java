package io.albtrace.instrumentation.jetty.client;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.core.Context;
import io.albtrace.testing.SelfSignedTls;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The ways an application commonly sends a request with Jetty's {@code HttpClient} 12. */
enum WayJetty {
    /** HTTP/1.1, {@code request.send()}: the synchronous call. */
    SYNC(false, false, false),
    /** HTTP/1.1, {@code request.send(listener)} with a {@code BufferingResponseListener}. */
    ASYNC(true, false, false),
    /** HTTPS, HTTP/1.1, {@code send()}, trusting the test certificate, host names verified. */
    TLS(false, true, false),
    /** HTTP/2 in clear text (prior knowledge), {@code HttpClientTransportOverHTTP2}, {@code send(listener)}. */
    H2C_ASYNC(true, false, true),
    /** HTTP/2 over TLS (ALPN), {@code HttpClientTransportOverHTTP2}, {@code send()}. */
    H2_TLS(false, true, true);

    final boolean async;
    final boolean tls;
    final boolean h2;
    private HttpClient client;

    WayJetty(boolean async, boolean tls, boolean h2) {
        this.async = async;
        this.tls = tls;
        this.h2 = h2;
    }

    /** This way's client, started, made once per test JVM. */
    synchronized HttpClient client() throws Exception {
        if (client == null) {
            client = newClient(null);
        }
        return client;
    }

    /** A new client of this way, started; through the HTTP proxy at {@code proxy} when it is not null. */
    HttpClient newClient(InetSocketAddress proxy) throws Exception {
        ClientConnector connector = new ClientConnector();
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setSslContext(SelfSignedTls.get().context);
        connector.setSslContextFactory(ssl);
        // the contract sends requests of up to some 12 KB of headers (the server takes 64 KB): above Jetty's defaults
        HTTP2Client http2 = new HTTP2Client(connector);
        http2.setMaxRequestHeadersSize(64 * 1024);
        HttpClient c = new HttpClient(h2 ? new HttpClientTransportOverHTTP2(http2)
                : new HttpClientTransportOverHTTP(connector));
        c.setRequestBufferSize(64 * 1024);
        c.setMaxRequestHeadersSize(64 * 1024);
        if (proxy != null) {
            c.getProxyConfiguration().addProxy(new HttpProxy("127.0.0.1", proxy.getPort()));
        }
        c.start();
        return c;
    }

    synchronized void close() throws Exception {
        if (client != null) {
            client.stop();
            client = null;
        }
    }

    /** A request object, with the headers given as name, value, name, value... in order. */
    static Request request(HttpClient c, String method, String url, List<String> headers) {
        Request r = c.newRequest(url).method(method).timeout(20, TimeUnit.SECONDS);
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            r.headers(h -> h.add(name, value));
        }
        if ("POST".equals(method)) {
            r.body(new StringRequestContent("text/plain", "body"));
        }
        return r;
    }

    /** Sends it, this way, and reads the whole response. */
    HttpClientAdapter.Response send(Request request) throws Exception {
        if (async) {
            return submit(request).get(30, TimeUnit.SECONDS);
        }
        ContentResponse r = request.send();
        return new HttpClientAdapter.Response(r.getStatus(), r.getContentAsString());
    }

    /**
     * {@code send(listener)}: the response once complete, with the context its listener ran with on Jetty's threads.
     * Jetty may read a quick response and complete the call inline, on the thread that calls {@code send}, before
     * it returns: the listener then runs where the application is, with the application's context, as it would
     * without the agent ({@link HttpClientAdapter.Response#NOT_SEEN}).
     */
    static CompletableFuture<HttpClientAdapter.Response> submit(Request request) {
        CompletableFuture<HttpClientAdapter.Response> done = new CompletableFuture<>();
        Thread caller = Thread.currentThread();
        request.send(new BufferingResponseListener() {
            @Override
            public void onComplete(org.eclipse.jetty.client.Result result) {
                String context = Thread.currentThread() == caller ? HttpClientAdapter.Response.NOT_SEEN
                        : Context.current();
                if (result.isFailed()) {
                    done.completeExceptionally(result.getFailure());
                } else {
                    done.complete(new HttpClientAdapter.Response(result.getResponse().getStatus(),
                            getContentAsString(), context));
                }
            }
        });
        return done;
    }
}

package io.albtrace.instrumentation.jetty.client9;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.core.Context;
import io.albtrace.instrumentation.jetty.client.OldJetty;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.api.ContentResponse;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.client.api.Result;
import org.eclipse.jetty.client.http.HttpClientTransportOverHTTP;
import org.eclipse.jetty.client.util.BasicAuthentication;
import org.eclipse.jetty.client.util.BufferingResponseListener;
import org.eclipse.jetty.client.util.StringContentProvider;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.http.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's {@code HttpClient} 9.4, 10 and 11 as an application uses it: compiled against 9.4, run in each line's
 * class loader. The calls are those the three lines share with the same descriptors; only making the client
 * differs (9.4 takes the {@code SslContextFactory} in {@code HttpClient}'s constructor, 10 and 11 in the transport's
 * {@code ClientConnector}), and is done by reflection.
 */
public final class Jetty9Driver implements OldJetty.Factory {

    @Override
    public String version() {
        Package p = HttpClient.class.getPackage();
        return p == null ? null : p.getImplementationVersion();
    }

    @Override
    public OldJetty.Client newClient(boolean h2, SSLContext context, InetSocketAddress proxy) throws Exception {
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        // Jetty finds its ALPN processor with the context class loader's ServiceLoader; its pool's threads, made
        // while it starts, keep this one
        current.setContextClassLoader(Jetty9Driver.class.getClassLoader());
        try {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(context);
            ssl.setEndpointIdentificationAlgorithm("HTTPS");
            HttpClient c = newHttpClient(h2, ssl);
            // the contract sends requests of up to some 12 KB of headers
            c.setRequestBufferSize(64 * 1024);
            if (proxy != null) {
                c.getProxyConfiguration().getProxies().add(new HttpProxy("127.0.0.1", proxy.getPort()));
            }
            c.start();
            return new Started(c);
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private static HttpClient newHttpClient(boolean h2, SslContextFactory.Client ssl) throws Exception {
        java.lang.reflect.Constructor<HttpClient> withSsl;
        try {
            withSsl = HttpClient.class.getConstructor(HttpClientTransport.class, SslContextFactory.class);
        } catch (NoSuchMethodException e) {
            withSsl = null; // 10 and 11
        }
        if (withSsl != null) {
            HttpClientTransport transport = h2 ? new HttpClientTransportOverHTTP2(new HTTP2Client())
                    : new HttpClientTransportOverHTTP();
            return withSsl.newInstance(transport, ssl);
        }
        Class<?> connectorType = Class.forName("org.eclipse.jetty.io.ClientConnector", false,
                Jetty9Driver.class.getClassLoader());
        Object connector = connectorType.getConstructor().newInstance();
        connectorType.getMethod("setSslContextFactory", SslContextFactory.Client.class).invoke(connector, ssl);
        HttpClientTransport transport = h2
                ? new HttpClientTransportOverHTTP2(
                        HTTP2Client.class.getConstructor(connectorType).newInstance(connector))
                : HttpClientTransportOverHTTP.class.getConstructor(connectorType).newInstance(connector);
        return new HttpClient(transport);
    }

    /** One started client. */
    private static final class Started implements OldJetty.Client {
        private final HttpClient client;

        Started(HttpClient client) {
            this.client = client;
        }

        @Override
        public Object request(String method, String url, List<String> headers) {
            Request r = client.newRequest(url).method(method).timeout(20, TimeUnit.SECONDS);
            for (int i = 0; i < headers.size(); i += 2) {
                r.header(headers.get(i), headers.get(i + 1));
            }
            if ("POST".equals(method)) {
                r.content(new StringContentProvider("text/plain", "body", StandardCharsets.UTF_8));
            }
            return r;
        }

        @Override
        public HttpClientAdapter.Response send(Object request) throws Exception {
            ContentResponse r = ((Request) request).send();
            return new HttpClientAdapter.Response(r.getStatus(), r.getContentAsString());
        }

        @Override
        public CompletableFuture<HttpClientAdapter.Response> submit(Object request) {
            CompletableFuture<HttpClientAdapter.Response> done = new CompletableFuture<>();
            Thread caller = Thread.currentThread();
            ((Request) request).send(new BufferingResponseListener() {
                @Override
                public void onComplete(Result result) {
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

        @Override
        public void basicAuthentication(String uri, String realm, String user, String password) {
            URI u = URI.create(uri);
            if (client.getAuthenticationStore().findAuthentication("Basic", u, realm) == null) {
                client.getAuthenticationStore().addAuthentication(new BasicAuthentication(u, realm, user, password));
            }
        }

        @Override
        public String contextOnItsThreads() throws Exception {
            CompletableFuture<String> seen = new CompletableFuture<>();
            client.getExecutor().execute(() -> seen.complete(String.valueOf(Context.current())));
            String s = seen.get(10, TimeUnit.SECONDS);
            return "null".equals(s) ? null : s;
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }
}

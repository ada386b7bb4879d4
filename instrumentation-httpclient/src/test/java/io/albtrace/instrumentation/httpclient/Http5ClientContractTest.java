package io.albtrace.instrumentation.httpclient;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Apache HttpClient 5, on the line of this test run (5.0,
 * 5.4 or 5.6: the pom's executions), in each {@link Way5} an application commonly sends with: the classic clients
 * (default, custom, minimal, fluent, TLS) and the async ones (simple requests and request producers, HTTP/1.1, h2c,
 * h2 over TLS, the minimal ones). Through a proxy: the classic client ({@code CONNECT} tunnel, HTTP/1.1 inside), the
 * async client limited to HTTP/1.1, and the async client negotiating HTTP/2 by ALPN inside the tunnel.
 */
@ExtendWith(InstalledAgent.class)
class Http5ClientContractTest extends HttpClientContract {

    @Override
    protected List<Apache5> adapters() {
        return Arrays.stream(Way5.values()).map(Apache5::new).collect(Collectors.toList());
    }

    /** One {@link Way5}: its clients are made once per test JVM; through a proxy, a client of its kind per test. */
    static final class Apache5 extends HttpClientAdapter {
        final Way5 way;

        Apache5(Way5 way) {
            super(way.name(), way.h2 ? Protocol.HTTP_2 : Protocol.HTTP_1_1, way.tls);
            this.way = way;
        }

        @Override
        public String instrumentation() {
            return "apache-httpclient";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.CONCURRENT, Feature.REUSABLE_REQUEST);
            if (way.simple()) {
                f.add(Feature.ASYNC);
            }
            if (way.follows()) {
                f.addAll(List.of(Feature.REDIRECTS, Feature.REDIRECT_302_POST_AS_GET, Feature.RETRY_503));
            }
            if (way == Way5.CLASSIC_DEFAULT || way == Way5.ASYNC_SIMPLE || way == Way5.ASYNC_TLS) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public String unsupported(boolean proxied, boolean tlsOrigin) {
            // httpcore5 5.0 cannot negotiate h2 by ALPN (Way5#unsupported); in clear text it speaks HTTP/1.1
            return tlsOrigin ? way.unsupported() : null;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            if (proxy == null) {
                return new Client() {
                    @Override
                    public Object request(Request r) {
                        return way.request(r.method, r.url, r.headers.toArray(new String[0]));
                    }

                    @Override
                    public Response send(Object request) throws Exception {
                        return way.send(request);
                    }

                    @Override
                    public Pending submit(Object request) {
                        Future<SimpleHttpResponse> f = way.execute((SimpleHttpRequest) request);
                        return () -> Way5.read(f.get(30, TimeUnit.SECONDS));
                    }

                    @Override
                    public List<String> traceHeadersOf(Object request) {
                        return way.traceHeadersOf(request);
                    }
                };
            }
            HttpHost viaProxy = new HttpHost("http", "127.0.0.1", proxy.getPort());
            if (way == Way5.CLASSIC_DEFAULT) {
                return new ProxiedClassic(HttpClients.custom().setProxy(viaProxy)
                        .setConnectionManager(Way5.Clients.classicTlsConnectionManager()).build());
            }
            return new ProxiedAsync(viaProxy, way == Way5.ASYNC_TLS
                    ? HttpVersionPolicy.NEGOTIATE : HttpVersionPolicy.FORCE_HTTP_1);
        }
    }

    /** {@code HttpClients.custom().setProxy(...)}: to an {@code https:} origin through {@code ConnectExec}. */
    static final class ProxiedClassic implements HttpClientAdapter.Client {
        private final CloseableHttpClient client;

        ProxiedClassic(CloseableHttpClient client) {
            this.client = client;
        }

        @Override
        public Object request(HttpClientAdapter.Request r) {
            return Way5.CLASSIC_DEFAULT.request(r.method, r.url, r.headers.toArray(new String[0]));
        }

        @Override
        public HttpClientAdapter.Response send(Object request) throws Exception {
            return client.execute((HttpUriRequestBase) request, Way5::read);
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    /**
     * {@code HttpAsyncClients.custom().setProxy(...)} with the version policy given, {@code SimpleHttpRequest}; to an
     * {@code https:} origin through {@code AsyncConnectExec}. The context is the one where {@code execute} was called,
     * although the request, and the {@code CONNECT} before it, go out later on the I/O reactor.
     */
    static final class ProxiedAsync implements HttpClientAdapter.Client {
        private final CloseableHttpAsyncClient client;

        @SuppressWarnings("deprecation") // setVersionPolicy: deprecated in 5.2+ for TlsConfig, which 5.0 lacks
        ProxiedAsync(HttpHost proxy, HttpVersionPolicy policy) {
            client = HttpAsyncClients.custom().setProxy(proxy).setVersionPolicy(policy)
                    .setConnectionManager(Way5.Clients.asyncTlsConnectionManager()).build();
            client.start();
        }

        @Override
        public Object request(HttpClientAdapter.Request r) {
            return Way5.ASYNC_SIMPLE.request(r.method, r.url, r.headers.toArray(new String[0]));
        }

        @Override
        public HttpClientAdapter.Response send(Object request) throws Exception {
            return submit(request).await();
        }

        @Override
        public HttpClientAdapter.Pending submit(Object request) {
            Future<SimpleHttpResponse> f = client.execute((SimpleHttpRequest) request, null);
            return () -> Way5.read(f.get(30, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }
}

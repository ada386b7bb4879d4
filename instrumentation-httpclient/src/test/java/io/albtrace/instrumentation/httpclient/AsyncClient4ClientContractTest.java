package io.albtrace.instrumentation.httpclient;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.testing.SelfSignedTls;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.http.HttpHost;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Apache HttpAsyncClient 4.1.5 (httpcore-nio 4.4.16), in
 * each {@link Way4Async}, over HTTP/1.1: the request is sent on the client's I/O reactor, after {@code execute}
 * returned on the caller's thread. Through a proxy: {@code HttpAsyncClients.custom().setProxy(...)}, to an
 * {@code https:} origin through a {@code CONNECT} tunnel.
 */
@ExtendWith(InstalledAgent.class)
class AsyncClient4ClientContractTest extends HttpClientContract {

    @Override
    protected List<Apache4Async> adapters() {
        return Arrays.stream(Way4Async.values()).map(Apache4Async::new).collect(Collectors.toList());
    }

    /** One {@link Way4Async}, its client made once per test JVM; through a proxy, a client of its own per test. */
    static final class Apache4Async extends HttpClientAdapter {
        final Way4Async way;

        Apache4Async(Way4Async way) {
            super("httpasyncclient4 " + way.name(), Protocol.HTTP_1_1, way.tls());
            this.way = way;
        }

        @Override
        public String instrumentation() {
            return "apache-httpasyncclient";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.ASYNC, Feature.CONCURRENT, Feature.REUSABLE_REQUEST);
            if (way != Way4Async.MINIMAL) {
                f.add(Feature.REDIRECTS);
            }
            if (way == Way4Async.CUSTOM_PRODUCER) {
                f.addAll(List.of(Feature.REDIRECT_302_POST_AS_GET, Feature.AUTHENTICATION));
            }
            if (way == Way4Async.DEFAULT) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            CloseableHttpAsyncClient proxied = null;
            if (proxy != null) {
                proxied = HttpAsyncClients.custom()
                        .setProxy(new HttpHost("127.0.0.1", proxy.getPort(), "http"))
                        .setSSLContext(SelfSignedTls.get().context)
                        .build();
                proxied.start();
            }
            CloseableHttpAsyncClient c = proxied != null ? proxied : way.client();
            CloseableHttpAsyncClient toClose = proxied;
            return new Client() {
                @Override
                public Object request(Request r) {
                    return Way4.DEFAULT.request(r.method, r.url, r.headers.toArray(new String[0]));
                }

                @Override
                public Response send(Object request) throws Exception {
                    return submit(request).await();
                }

                @Override
                public Pending submit(Object request) {
                    CompletableFuture<Response> f = way.submit(c, (HttpRequestBase) request);
                    return () -> Way4Async.await(f);
                }

                @Override
                public List<String> traceHeadersOf(Object request) {
                    return Way4.traceHeadersOf((HttpRequestBase) request);
                }

                /** A call made outside any context: the context its callback runs with, on the I/O reactor. */
                @Override
                public String contextOnItsThreads() throws Exception {
                    Object r = request(new Request("GET", server.url(way.tls(), "/its-threads")));
                    return submit(r).await().callbackContext;
                }

                @Override
                public void close() throws Exception {
                    if (toClose != null) {
                        toClose.close();
                    }
                }
            };
        }
    }
}

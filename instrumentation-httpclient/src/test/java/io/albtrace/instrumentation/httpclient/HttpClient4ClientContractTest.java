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
import java.util.stream.Collectors;
import org.apache.http.HttpHost;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Apache HttpClient 4.5.14 ({@code org.apache.http},
 * beside HttpClient 5 on the test class path; the pom runs it with the newest HttpClient 5 line only), in each
 * {@link Way4}: {@code InternalHttpClient} (default, custom with a 503 retry strategy, TLS), {@code MinimalHttpClient}
 * and the old {@code DefaultHttpClient}, over HTTP/1.1. Through a proxy: {@code HttpClients.custom().setProxy(...)}, to
 * an {@code https:} origin through a {@code CONNECT} tunnel ({@code MainClientExec#createTunnelToTarget}).
 */
@ExtendWith(InstalledAgent.class)
class HttpClient4ClientContractTest extends HttpClientContract {

    @Override
    protected List<Apache4> adapters() {
        return Arrays.stream(Way4.values()).map(Apache4::new).collect(Collectors.toList());
    }

    /** One {@link Way4}, its client made once per test JVM; through a proxy, a client of its own per test. */
    static final class Apache4 extends HttpClientAdapter {
        final Way4 way;

        Apache4(Way4 way) {
            super("httpclient4 " + way.name(), Protocol.HTTP_1_1, way.tls());
            this.way = way;
        }

        @Override
        public String instrumentation() {
            return "apache-httpclient";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.REUSABLE_REQUEST);
            if (way != Way4.LEGACY) {
                f.add(Feature.CONCURRENT); // DefaultHttpClient's connection manager holds one connection
            }
            if (way != Way4.MINIMAL) {
                f.add(Feature.REDIRECTS); // a 302 of a POST is not followed by 4.5's default strategy
            }
            if (way == Way4.CUSTOM_RETRYING) {
                f.add(Feature.RETRY_503);
            }
            if (way == Way4.DEFAULT) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            CloseableHttpClient proxied = proxy == null ? null : HttpClients.custom()
                    .setProxy(new HttpHost("127.0.0.1", proxy.getPort(), "http"))
                    .setSSLContext(SelfSignedTls.get().context)
                    .build();
            return new Client() {
                @Override
                public Object request(Request r) {
                    return way.request(r.method, r.url, r.headers.toArray(new String[0]));
                }

                @Override
                public Response send(Object request) throws Exception {
                    return proxied == null ? way.send((HttpRequestBase) request)
                            : proxied.execute((HttpRequestBase) request, Way4::read);
                }

                @Override
                public List<String> traceHeadersOf(Object request) {
                    return Way4.traceHeadersOf((HttpRequestBase) request);
                }

                @Override
                public void close() throws Exception {
                    if (proxied != null) {
                        proxied.close();
                    }
                }
            };
        }
    }
}

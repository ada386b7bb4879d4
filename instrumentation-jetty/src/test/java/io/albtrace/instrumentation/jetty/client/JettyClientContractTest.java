package io.albtrace.instrumentation.jetty.client;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.core.Context;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Jetty's {@code HttpClient} 12.1.14, in each
 * {@link WayJetty}: HTTP/1.1 synchronous and asynchronous, HTTPS, h2c and h2 over TLS. Through a proxy: the
 * HTTP/1.1 client with an {@code HttpProxy}, to an {@code https:} origin through a {@code CONNECT} tunnel.
 */
@ExtendWith(InstalledAgent.class)
class JettyClientContractTest extends HttpClientContract {

    @Override
    protected List<Jetty> adapters() {
        return Arrays.stream(WayJetty.values()).map(Jetty::new).collect(Collectors.toList());
    }

    /** One {@link WayJetty}: its client made once per test JVM; through a proxy, a client of its own per test. */
    static final class Jetty extends HttpClientAdapter {
        final WayJetty way;

        Jetty(WayJetty way) {
            super("jetty " + way.name(), way.h2 ? Protocol.HTTP_2 : Protocol.HTTP_1_1, way.tls);
            this.way = way;
        }

        @Override
        public String instrumentation() {
            return "jetty-httpclient";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.CONCURRENT, Feature.REDIRECTS, Feature.REDIRECT_302_POST_AS_GET,
                    Feature.AUTHENTICATION);
            if (way.async) {
                f.add(Feature.ASYNC);
            }
            if (way == WayJetty.SYNC) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            HttpClient c = proxy == null ? way.client() : way.newClient(proxy);
            // credentials per directory (Jetty then sends them before a challenge for that directory only)
            for (boolean tls : new boolean[] {false, true}) {
                for (String directory : new String[] {"/in-context/", "/none/"}) {
                    URI uri = URI.create(server.url(tls, directory));
                    if (c.getAuthenticationStore().findAuthentication("Basic", uri, "albtrace") == null) {
                        c.getAuthenticationStore().addAuthentication(
                                new BasicAuthentication(uri, "albtrace", "user", "secret"));
                    }
                }
            }
            return new Client() {
                @Override
                public Object request(Request r) {
                    return WayJetty.request(c, r.method, r.url, r.headers);
                }

                @Override
                public Response send(Object request) throws Exception {
                    return way.send((org.eclipse.jetty.client.Request) request);
                }

                @Override
                public Pending submit(Object request) {
                    CompletableFuture<Response> f = WayJetty.submit((org.eclipse.jetty.client.Request) request);
                    return () -> f.get(30, TimeUnit.SECONDS);
                }

                /** The context on the client's own pool's threads. */
                @Override
                public String contextOnItsThreads() throws Exception {
                    CompletableFuture<String> seen = new CompletableFuture<>();
                    c.getExecutor().execute(() -> seen.complete(String.valueOf(Context.current())));
                    String s = seen.get(10, TimeUnit.SECONDS);
                    return "null".equals(s) ? null : s;
                }

                @Override
                public void close() throws Exception {
                    if (proxy != null) {
                        c.stop();
                    }
                }
            };
        }

        @Override
        public void closeClients() throws Exception {
            way.close();
        }
    }
}

package io.albtrace.instrumentation.helidon;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Helidon 4.5.0's blocking clients, in each
 * {@link WayHelidon}: {@code WebClient} over HTTP/1.1, {@code Http1Client} over HTTPS, {@code Http2Client} over h2c,
 * {@code WebClient} over h2 with TLS. Through a proxy: the {@code WebClient} with an HTTP proxy, to an {@code https:}
 * origin through a {@code CONNECT} tunnel in {@link HelidonProxyTunnelTest}.
 */
@ExtendWith(InstalledAgent.class)
class HelidonClientContractTest extends HttpClientContract {

    @Override
    protected List<Helidon> adapters() {
        return Arrays.stream(WayHelidon.values()).map(Helidon::new).collect(Collectors.toList());
    }

    /** One {@link WayHelidon}: its client made once per test JVM; through a proxy, a client of its own per test. */
    static final class Helidon extends HttpClientAdapter {
        final WayHelidon way;

        Helidon(WayHelidon way) {
            super("helidon " + way.name(), way.h2 ? Protocol.HTTP_2 : Protocol.HTTP_1_1, way.tls);
            this.way = way;
        }

        @Override
        public String instrumentation() {
            return "helidon";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.CONCURRENT, Feature.REDIRECTS, Feature.REDIRECT_302_POST_AS_GET,
                    Feature.REUSABLE_REQUEST);
            if (way == WayHelidon.WEBCLIENT) {
                // not PROXY_TUNNEL: Helidon names the origin in its CONNECT by the name its address resolves back to
                // (localhost), which the contract's proxy check refuses; HelidonProxyTunnelTest covers the tunnel
                f.add(Feature.PROXY);
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            Object c = proxy == null ? way.client() : way.newClient(proxy);
            return new Client() {
                @Override
                public Object request(Request r) {
                    return WayHelidon.request(c, r.method, r.url, r.headers);
                }

                @Override
                public Response send(Object request) {
                    return WayHelidon.send((io.helidon.webclient.api.ClientRequest<?>) request);
                }

                /** The request object's trace headers: Helidon sends its own headers, the agent puts them back. */
                @Override
                public List<String> traceHeadersOf(Object request) {
                    io.helidon.http.ClientRequestHeaders h =
                            ((io.helidon.webclient.api.ClientRequestBase<?, ?>) request).headers();
                    io.helidon.http.HeaderName name = io.helidon.http.HeaderNames.create("X-Amzn-Trace-Id");
                    return h.contains(name) ? List.copyOf(h.get(name).allValues()) : List.of();
                }
            };
        }

        @Override
        public void closeClients() {
            way.close();
        }
    }
}

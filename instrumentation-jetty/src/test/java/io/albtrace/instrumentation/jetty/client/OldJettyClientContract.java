package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.testing.SelfSignedTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Jetty's {@code HttpClient} of an older line (9.4, 10,
 * 11: {@code org.eclipse.jetty.client.api}), the real library in a class loader of its own ({@link OldJetty}), in the
 * same ways as Jetty 12's ({@link JettyClientContractTest}): HTTP/1.1 synchronous and asynchronous, HTTPS, h2c and
 * h2 over TLS ({@code HttpClientTransportOverHTTP2}); through a proxy, the HTTP/1.1 client with an
 * {@code HttpProxy}, to an {@code https:} origin through a {@code CONNECT} tunnel.
 */
@ExtendWith(InstalledAgent.class)
abstract class OldJettyClientContract extends HttpClientContract {

    /** The way's name, the line's folder, and the version its jar must say. */
    abstract String line();

    abstract String version();

    @BeforeAll
    void theLineIsTheOneNamed() {
        String said = OldJetty.factory(line()).version();
        assertTrue(said != null && said.startsWith(version()), "jetty-client in the class loader: " + said);
    }

    @Override
    protected List<Way> adapters() {
        List<Way> ways = new ArrayList<>();
        OldJetty.Factory factory = OldJetty.factory(line());
        String name = "jetty " + line();
        ways.add(new Way(factory, name + " SYNC", false, false, false));
        ways.add(new Way(factory, name + " ASYNC", true, false, false));
        ways.add(new Way(factory, name + " TLS", false, true, false));
        ways.add(new Way(factory, name + " H2C_ASYNC", true, false, true));
        ways.add(new Way(factory, name + " H2_TLS", false, true, true));
        return ways;
    }

    /** One way: its client made once per test class; through a proxy, a client of its own per test. */
    static final class Way extends HttpClientAdapter {
        final OldJetty.Factory factory;
        final boolean async;
        final boolean h2;
        private OldJetty.Client kept;

        Way(OldJetty.Factory factory, String name, boolean async, boolean tls, boolean h2) {
            super(name, h2 ? Protocol.HTTP_2 : Protocol.HTTP_1_1, tls);
            this.factory = factory;
            this.async = async;
            this.h2 = h2;
        }

        @Override
        public String instrumentation() {
            return "jetty-httpclient";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.CONCURRENT, Feature.REDIRECTS, Feature.REDIRECT_302_POST_AS_GET,
                    Feature.AUTHENTICATION);
            if (async) {
                f.add(Feature.ASYNC);
            }
            if (!async && !tls && !h2) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        private synchronized OldJetty.Client kept() throws Exception {
            if (kept == null) {
                kept = factory.newClient(h2, SelfSignedTls.get().context, null);
            }
            return kept;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            OldJetty.Client c = proxy == null ? kept() : factory.newClient(h2, SelfSignedTls.get().context, proxy);
            // credentials per directory (Jetty then sends them before a challenge for that directory only)
            for (boolean tls : new boolean[] {false, true}) {
                for (String directory : new String[] {"/in-context/", "/none/"}) {
                    c.basicAuthentication(server.url(tls, directory), "albtrace", "user", "secret");
                }
            }
            return new Client() {
                @Override
                public Object request(Request r) {
                    return c.request(r.method, r.url, r.headers);
                }

                @Override
                public Response send(Object request) throws Exception {
                    if (async) {
                        return c.submit(request).get(30, TimeUnit.SECONDS);
                    }
                    return c.send(request);
                }

                @Override
                public Pending submit(Object request) {
                    CompletableFuture<Response> f = c.submit(request);
                    return () -> f.get(30, TimeUnit.SECONDS);
                }

                @Override
                public String contextOnItsThreads() throws Exception {
                    return c.contextOnItsThreads();
                }

                @Override
                public void close() throws Exception {
                    if (proxy != null) {
                        c.close();
                    }
                }
            };
        }

        @Override
        public synchronized void closeClients() throws Exception {
            if (kept != null) {
                kept.close();
                kept = null;
            }
        }
    }
}

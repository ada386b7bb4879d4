package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.contracts.ServerEntryContract;
import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through plain Netty clients, HTTP/1.1 ({@link NettyClient})
 * and h2c ({@link NettyH2Client}), on the Netty line of this run: the request written in a future's listener, encoded
 * on the event loop.
 * Netty follows no redirects, retries nothing and has no proxy settings of its own: those tests are skipped.
 */
@ExtendWith(InstalledAgent.class)
class NettyClientContractTest extends HttpClientContract {

    @Override
    protected List<NettyWay> adapters() {
        return List.of(new NettyWay(HttpClientAdapter.Protocol.HTTP_1_1), new NettyWay(HttpClientAdapter.Protocol.HTTP_2));
    }

    /**
     * A plain Netty client in clear text: over HTTP/1.1 ({@link NettyClient}, a connection per request), or h2c with
     * prior knowledge ({@link NettyH2Client}, a stream per request on one shared connection per origin).
     */
    static final class NettyWay extends HttpClientAdapter {

        private NettyClient shared;
        private NettyH2Client sharedH2;

        NettyWay(Protocol protocol) {
            super("netty " + System.getProperty("netty.test.version"), protocol, false);
        }

        @Override
        public String instrumentation() {
            return "netty";
        }

        @Override
        public Set<Feature> features() {
            return EnumSet.of(Feature.ASYNC, Feature.CONCURRENT);
        }

        /**
         * The out lines are written (the header's hop starts where the request head is encoded), but a Netty call
         * begins only when the application writes its request on a connected channel: a refused connection has no
         * request and so no line, which the contract's refused-connection case asks for. The out lines are checked by
         * {@code NettyHopLogTest} instead.
         */
        @Override
        public String hopLogUnsupported() {
            return "a Netty request exists only once written on a connected channel: no line for a refused connection";
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) {
            if (protocol == Protocol.HTTP_2) {
                return h2();
            }
            if (shared == null) {
                shared = new NettyClient(2);
            }
            NettyClient netty = shared;
            return new Client() {
                @Override
                public Object request(Request r) {
                    return NettyClient.request(r.method, r.url, r.headers, r.body);
                }

                @Override
                public Response send(Object request) throws Exception {
                    return netty.call((FullHttpRequest) request);
                }

                @Override
                public Pending submit(Object request) throws Exception {
                    java.util.concurrent.CompletableFuture<Response> r = netty.send((FullHttpRequest) request);
                    return () -> r.get(30, TimeUnit.SECONDS);
                }

                @Override
                public String contextOnItsThreads() throws Exception {
                    List<String> seen = NettyServer.threadsOf(netty.group);
                    String first = seen.get(0);
                    String context = first.substring(0, first.indexOf(" | "));
                    return "null".equals(context) ? null : context;
                }
            };
        }

        private Client h2() {
            if (sharedH2 == null) {
                sharedH2 = new NettyH2Client(2);
            }
            NettyH2Client netty = sharedH2;
            return new Client() {
                @Override
                public Object request(Request r) {
                    return NettyClient.request(r.method, r.url, r.headers, r.body);
                }

                @Override
                public Response send(Object request) throws Exception {
                    return netty.call((FullHttpRequest) request);
                }

                @Override
                public Pending submit(Object request) {
                    java.util.concurrent.CompletableFuture<Response> r = netty.send((FullHttpRequest) request);
                    return () -> r.get(30, TimeUnit.SECONDS);
                }

                @Override
                public String contextOnItsThreads() throws Exception {
                    for (String seen : NettyServer.threadsOf(netty.group)) {
                        String context = seen.substring(0, seen.indexOf(" | "));
                        if (!"null".equals(context)) {
                            return context;
                        }
                    }
                    return null;
                }
            };
        }

        @Override
        public void closeClients() throws Exception {
            if (shared != null) {
                shared.close();
            }
            if (sharedH2 != null) {
                sharedH2.close();
            }
        }
    }
}

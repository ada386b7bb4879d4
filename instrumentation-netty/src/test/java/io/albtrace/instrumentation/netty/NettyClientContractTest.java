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
 * The HTTP client contract ({@link HttpClientContract}) through a plain Netty HTTP/1.1 client ({@link NettyClient}),
 * on the Netty line of this run: the request written from the application's thread, encoded on the event loop.
 * Netty follows no redirects, retries nothing and has no proxy settings of its own: those tests are skipped.
 */
@ExtendWith(InstalledAgent.class)
class NettyClientContractTest extends HttpClientContract {

    @Override
    protected List<NettyWay> adapters() {
        return List.of(new NettyWay());
    }

    /** A plain Netty client over HTTP/1.1 in clear text. */
    static final class NettyWay extends HttpClientAdapter {

        private NettyClient shared;

        NettyWay() {
            super("netty " + System.getProperty("netty.test.version"), Protocol.HTTP_1_1, false);
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

        @Override
        public void closeClients() throws Exception {
            if (shared != null) {
                shared.close();
            }
        }
    }
}

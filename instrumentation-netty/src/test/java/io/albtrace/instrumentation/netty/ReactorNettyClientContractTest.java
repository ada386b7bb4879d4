package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The HTTP client contract ({@link HttpClientContract}) through Reactor Netty's {@code HttpClient} (pooled
 * connections), over HTTP/1.1 and h2c (prior knowledge), on the Reactor Netty and Netty lines of this run: the
 * response's {@code Mono} subscribed on the application's thread ({@code block()}, or {@code toFuture()} for the
 * asynchronous case), the request written on the client's event loop.
 */
@ExtendWith(InstalledAgent.class)
class ReactorNettyClientContractTest extends HttpClientContract {

    @Override
    protected List<ReactorWay> adapters() {
        return List.of(new ReactorWay(HttpClientAdapter.Protocol.HTTP_1_1), new ReactorWay(HttpClientAdapter.Protocol.HTTP_2));
    }

    /** Reactor Netty's {@code HttpClient} of one protocol, on event loops of its own. */
    static final class ReactorWay extends HttpClientAdapter {

        private LoopResources loops;
        private ConnectionProvider pool;
        private HttpClient shared;

        ReactorWay(Protocol protocol) {
            super("reactor-netty " + System.getProperty("reactor.netty.test.version"), protocol, false);
        }

        @Override
        public String instrumentation() {
            return "netty";
        }

        @Override
        public Set<Feature> features() {
            return EnumSet.of(Feature.ASYNC, Feature.CONCURRENT, Feature.REUSABLE_REQUEST, Feature.REDIRECTS);
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) {
            if (shared == null) {
                loops = LoopResources.create("contract-client", 2, true);
                pool = ConnectionProvider.create("contract-client", 50);
                shared = HttpClient.create(pool).runOn(loops)
                        .protocol(protocol == Protocol.HTTP_2 ? HttpProtocol.H2C : HttpProtocol.HTTP11)
                        .followRedirect(true);
            }
            HttpClient client = shared;
            return new Client() {
                @Override
                public Object request(Request r) {
                    return r;
                }

                private Mono<Response> mono(Object request) {
                    Request r = (Request) request;
                    HttpClient.RequestSender sender = client.headers(h -> {
                        for (int i = 0; i < r.headers.size(); i += 2) {
                            h.add(r.headers.get(i), r.headers.get(i + 1));
                        }
                    }).request(io.netty.handler.codec.http.HttpMethod.valueOf(r.method)).uri(r.url);
                    HttpClient.ResponseReceiver<?> receiver = r.body == null ? sender
                            : sender.send(ByteBufFlux.fromString(Mono.just(r.body)));
                    return receiver.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                            .map(b -> new Response(response.status().code(), b)));
                }

                @Override
                public Response send(Object request) {
                    return mono(request).block(Duration.ofSeconds(30));
                }

                @Override
                public Pending submit(Object request) {
                    CompletableFuture<Response> response = mono(request).toFuture();
                    return () -> response.get(30, TimeUnit.SECONDS);
                }

                @Override
                public String contextOnItsThreads() throws Exception {
                    for (String seen : NettyServer.threadsOf(loops.onClient(false))) {
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
        public void closeClients() {
            if (shared != null) {
                pool.disposeLater().block();
                loops.disposeLater().block();
            }
        }
    }
}

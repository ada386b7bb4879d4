package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.core.Context;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Credentials;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through OkHttp, on the line of this test run (3.14, 4.12 or
 * 5.x: the pom's executions), over HTTP/1.1, h2c (prior knowledge) and h2 over TLS: {@code execute()} and
 * {@code enqueue()}, redirects, the retry of a 408, the authenticator, a proxy and a {@code CONNECT} tunnel. Only API
 * that 3.14, 4.x and 5.x all have.
 */
@ExtendWith(InstalledAgent.class)
class OkHttpClientContractTest extends HttpClientContract {

    @Override
    protected List<OkHttpWay> adapters() {
        return List.of(new OkHttpWay(HttpClientAdapter.Protocol.HTTP_1_1, false),
                new OkHttpWay(HttpClientAdapter.Protocol.HTTP_2, false),
                new OkHttpWay(HttpClientAdapter.Protocol.HTTP_2, true));
    }

    /** An {@code OkHttpClient} limited to one protocol: HTTP/1.1, h2c with prior knowledge, or h2 (and 1.1) by ALPN. */
    static final class OkHttpWay extends HttpClientAdapter {

        private OkHttpClient shared;

        OkHttpWay(Protocol protocol, boolean tls) {
            super("okhttp", protocol, tls);
        }

        @Override
        public String instrumentation() {
            return "okhttp";
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.ASYNC, Feature.CONCURRENT, Feature.REDIRECTS,
                    Feature.REDIRECT_302_POST_AS_GET, Feature.RETRY_408, Feature.AUTHENTICATION,
                    Feature.REUSABLE_REQUEST);
            if (protocol == Protocol.HTTP_1_1 || tls) {
                f.add(Feature.PROXY);
                f.add(Feature.PROXY_TUNNEL);
            }
            return f;
        }

        private OkHttpClient make(InetSocketAddress proxy) throws Exception {
            SelfSignedTls certificate = SelfSignedTls.get();
            OkHttpClient.Builder b = new OkHttpClient.Builder()
                    .sslSocketFactory(certificate.context.getSocketFactory(), certificate.trust)
                    .authenticator((route, response) -> response.request().header("Authorization") != null ? null
                            : response.request().newBuilder()
                                    .header("Authorization", Credentials.basic("user", "secret")).build());
            if (protocol == Protocol.HTTP_1_1) {
                b.protocols(List.of(okhttp3.Protocol.HTTP_1_1));
            } else if (!tls) {
                b.protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
            } else {
                b.protocols(List.of(okhttp3.Protocol.HTTP_2, okhttp3.Protocol.HTTP_1_1));
            }
            if (proxy != null) {
                b.proxy(new Proxy(Proxy.Type.HTTP, proxy));
            }
            return b.build();
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            if (proxy != null) {
                return new OkHttpCalls(make(proxy), true);
            }
            if (shared == null) {
                shared = make(null);
            }
            return new OkHttpCalls(shared, false) {
                @Override
                public void close() {
                    // kept for the class's other tests
                }
            };
        }

        @Override
        public void closeClients() throws Exception {
            if (shared != null) {
                OkHttpTestSupport.close(shared);
            }
        }
    }

    /** Calls of one client: {@code newCall(request).execute()} or {@code .enqueue(callback)}. */
    static class OkHttpCalls implements HttpClientAdapter.Client {
        private final OkHttpClient client;
        /**
         * Through a proxy: on OkHttp 5.3+ a call whose application set no trace header is forwarded on the wire, by the
         * codec, and keeps its state in its tags; {@code call.request()} stays the application's.
         */
        private final boolean checkTags;

        OkHttpCalls(OkHttpClient client, boolean checkTags) {
            this.client = client;
            this.checkTags = checkTags;
        }

        @Override
        public Object request(HttpClientAdapter.Request r) {
            Request.Builder b = new Request.Builder().url(r.url);
            for (int i = 0; i < r.headers.size(); i += 2) {
                b.addHeader(r.headers.get(i), r.headers.get(i + 1));
            }
            if (r.body != null) {
                String body = r.body;
                b.method(r.method, new RequestBody() {
                    @Override
                    public MediaType contentType() {
                        return null;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.writeUtf8(body);
                    }
                });
            } else {
                b.method(r.method, null);
            }
            return b.build();
        }

        private Call call(Object request) {
            Call call = client.newCall((Request) request);
            if (checkTags && OkHttpLineTest.hasCallTags() && ((Request) request).header(Trace.NAME) == null) {
                assertNull(call.request().header(Trace.NAME), "OkHttp 5.3+: forwarded on the wire, by the codec");
                assertNotNull(CallTags.state(call));
            }
            return call;
        }

        @Override
        public HttpClientAdapter.Response send(Object request) throws IOException {
            try (okhttp3.Response response = call(request).execute()) {
                return new HttpClientAdapter.Response(response.code(), response.body().string());
            }
        }

        @Override
        public HttpClientAdapter.Pending submit(Object request) {
            Outcome outcome = new Outcome();
            call(request).enqueue(outcome);
            Thread caller = Thread.currentThread();
            return () -> {
                assertTrue(outcome.done.await(30, TimeUnit.SECONDS), "the callback was not called");
                assertNotEquals(caller, outcome.thread.get(), "OkHttp called back on its own thread");
                if (outcome.failure.get() != null) {
                    throw outcome.failure.get();
                }
                return outcome.response.get();
            };
        }

        @Override
        public List<String> traceHeadersOf(Object request) {
            return new ArrayList<>(((Request) request).headers(Trace.NAME));
        }

        @Override
        public String contextOnItsThreads() throws Exception {
            return CompletableFuture.supplyAsync(Context::current, client.dispatcher().executorService())
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            OkHttpTestSupport.close(client);
        }
    }

    /** What an {@code enqueue} callback saw, on which thread. */
    static final class Outcome implements Callback {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<HttpClientAdapter.Response> response = new AtomicReference<>();
        final AtomicReference<IOException> failure = new AtomicReference<>();
        final AtomicReference<Thread> thread = new AtomicReference<>();

        @Override
        public void onFailure(Call call, IOException e) {
            thread.set(Thread.currentThread());
            failure.set(e);
            done.countDown();
        }

        @Override
        public void onResponse(Call call, okhttp3.Response response) throws IOException {
            try (okhttp3.Response r = response) {
                String context = Context.current();
                thread.set(Thread.currentThread());
                this.response.set(new HttpClientAdapter.Response(r.code(), r.body().string(), context));
            } finally {
                done.countDown();
            }
        }
    }
}

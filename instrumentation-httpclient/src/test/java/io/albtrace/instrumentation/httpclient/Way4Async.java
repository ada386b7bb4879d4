package io.albtrace.instrumentation.httpclient;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.core.Context;
import io.albtrace.testing.SelfSignedTls;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.apache.http.HttpResponse;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.impl.client.LaxRedirectStrategy;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.nio.client.methods.HttpAsyncMethods;

/** The ways an application commonly sends a request with HttpAsyncClient 4.1 ({@code org.apache.http.impl.nio}). */
enum Way4Async {
    /** {@code HttpAsyncClients.createDefault()}, {@code execute(HttpUriRequest, FutureCallback)}: InternalHttpAsyncClient. */
    DEFAULT,
    /**
     * {@code HttpAsyncClients.custom()} with lax redirects (a 302 of a POST followed as a GET) and credentials,
     * {@code execute(HttpAsyncRequestProducer, HttpAsyncResponseConsumer, HttpContext, FutureCallback)} with a
     * producer of {@code HttpAsyncMethods.create(HttpHost, HttpRequest)} and a context of its own (as Elasticsearch's
     * {@code RestClient} calls it).
     */
    CUSTOM_PRODUCER,
    /** HTTPS: {@code HttpAsyncClients.custom().setSSLContext(...)} trusting the test certificate. */
    TLS,
    /** {@code HttpAsyncClients.createMinimal()}, {@code execute(HttpHost, HttpRequest, FutureCallback)}: MinimalHttpAsyncClient. */
    MINIMAL;

    private CloseableHttpAsyncClient client;

    synchronized CloseableHttpAsyncClient client() throws Exception {
        if (client == null) {
            switch (this) {
                case DEFAULT:
                    client = HttpAsyncClients.createDefault();
                    break;
                case CUSTOM_PRODUCER: {
                    BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                    credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials("user", "secret"));
                    client = HttpAsyncClients.custom().setRedirectStrategy(LaxRedirectStrategy.INSTANCE)
                            .setDefaultCredentialsProvider(credentials).build();
                    break;
                }
                case TLS:
                    client = HttpAsyncClients.custom().setSSLContext(SelfSignedTls.get().context).build();
                    break;
                default:
                    client = HttpAsyncClients.createMinimal();
            }
            client.start();
        }
        return client;
    }

    boolean tls() {
        return this == TLS;
    }

    /** Starts sending {@code request} on {@code c}, this way; the response once read, with its callback's context. */
    CompletableFuture<HttpClientAdapter.Response> submit(CloseableHttpAsyncClient c, HttpRequestBase request) {
        CompletableFuture<HttpClientAdapter.Response> done = new CompletableFuture<>();
        FutureCallback<HttpResponse> callback = new FutureCallback<HttpResponse>() {
            @Override
            public void completed(HttpResponse response) {
                String context = Context.current();
                try {
                    HttpClientAdapter.Response r = Way4.read(response);
                    done.complete(new HttpClientAdapter.Response(r.status, r.body, context));
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void failed(Exception ex) {
                done.completeExceptionally(ex);
            }

            @Override
            public void cancelled() {
                done.cancel(false);
            }
        };
        URI u = request.getURI();
        HttpHost target = new HttpHost(u.getHost(), u.getPort(), u.getScheme());
        switch (this) {
            case CUSTOM_PRODUCER:
                c.execute(HttpAsyncMethods.create(target, request), HttpAsyncMethods.createConsumer(),
                        HttpClientContext.create(), callback);
                break;
            case MINIMAL:
                c.execute(target, request, callback);
                break;
            default:
                c.execute(request, callback);
        }
        return done;
    }

    static HttpClientAdapter.Response await(CompletableFuture<HttpClientAdapter.Response> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS); // the minimal client never completes a call whose connection failed
    }
}

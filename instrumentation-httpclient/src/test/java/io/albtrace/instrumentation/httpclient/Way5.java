package io.albtrace.instrumentation.httpclient;

import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.fluent.Request;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.H2AsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.SSLConnectionSocketFactoryBuilder;
import io.albtrace.contracts.HttpClientAdapter;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.VersionInfo;

/**
 * The ways an application commonly sends a request with HttpClient 5, each with a request object it can send
 * again. Uses only API that 5.0 to 5.6 all have. The clients are made once per test JVM.
 *
 * <p>The {@code _TLS} ways talk to a TLS server (the contract's {@code ContractServer}) with a client that trusts its
 * self-signed certificate ({@code SelfSignedTls}) and verifies its host name as usual; the protocol is what ALPN
 * chooses: HTTP/2 for the async clients, which offer {@code h2}, HTTP/1.1 for the classic client.
 */
enum Way5 {
    /** {@code HttpClients.createDefault()}, {@code execute(request, responseHandler)}. */
    CLASSIC_DEFAULT(false, false),
    /** {@code HttpClients.custom().build()}, {@code execute(HttpHost, request, HttpContext)} and close. */
    CLASSIC_CUSTOM(false, false),
    /** {@code HttpClients.createMinimal()}, {@code execute(request, responseHandler)}. */
    CLASSIC_MINIMAL(false, false),
    /** The fluent API: {@code Request.get(uri).addHeader(...).execute()}. */
    FLUENT(false, false),
    /** {@code HttpAsyncClients.createDefault()}, {@code execute(SimpleHttpRequest, callback)}. */
    ASYNC_SIMPLE(false, false),
    /** {@code HttpAsyncClients.createDefault()}, {@code execute(BasicRequestProducer, BasicResponseConsumer, callback)}. */
    ASYNC_PRODUCER(false, false),
    /** {@code H2AsyncClientBuilder.create().build()}: HTTP/2 (h2c, prior knowledge), {@code SimpleHttpRequest}. */
    ASYNC_H2(true, false),
    /** {@code HttpAsyncClients.createMinimal()}: {@code MinimalHttpAsyncClient}, HTTP/1.1. */
    ASYNC_MINIMAL(false, false),
    /** {@code HttpAsyncClients.createHttp2Minimal()}: {@code MinimalH2AsyncClient}, HTTP/2 (h2c). */
    ASYNC_MINIMAL_H2(true, false),
    /**
     * HTTPS, HTTP/1.1: {@code HttpClients.custom()} with a connection manager whose TLS socket factory trusts the
     * test certificate, {@code execute(request, responseHandler)}.
     */
    CLASSIC_TLS(false, true),
    /**
     * HTTP/2 over TLS negotiated by ALPN: {@code HttpAsyncClients.custom()} with {@code HttpVersionPolicy.NEGOTIATE}
     * and a connection manager with the test TLS strategy (the default client's {@code InternalHttpAsyncClient}),
     * {@code SimpleHttpRequest}.
     */
    ASYNC_TLS(true, true),
    /**
     * HTTP/2 over TLS (ALPN {@code h2}): {@code HttpAsyncClients.customHttp2()}, the {@code H2AsyncClientBuilder},
     * with the test TLS strategy, {@code SimpleHttpRequest}.
     */
    ASYNC_H2_TLS(true, true),
    /**
     * HTTP/2 over TLS negotiated by ALPN with the minimal client: {@code HttpAsyncClients.createMinimal(NEGOTIATE,
     * ...)} with the test TLS strategy, {@code SimpleHttpRequest}.
     */
    ASYNC_MINIMAL_TLS(true, true);

    /** True: the way talks HTTP/2 and needs a server that does. */
    final boolean h2;
    /** True: the way talks TLS ({@code https:}) and needs the TLS server. */
    final boolean tls;

    /** The release of httpcore5 on the class path, as its own version.properties says. */
    private static final String HTTPCORE5 = VersionInfo.loadVersionInfo("org.apache.hc.core5",
            HttpRequest.class.getClassLoader()).getRelease();

    Way5(boolean h2, boolean tls) {
        this.h2 = h2;
        this.tls = tls;
    }

    boolean async() {
        return name().startsWith("ASYNC");
    }

    /**
     * Why this way cannot be tested with the HttpClient 5 line on the class path, or null when it can.
     *
     * <p>httpcore5 5.0.x negotiates the protocol ({@code HttpVersionPolicy.NEGOTIATE}) wrongly over TLS: it offers
     * {@code h2} by ALPN, the server chooses it, and the client then speaks HTTP/1.1 on what is an HTTP/2
     * connection (its negotiator does not see the ALPN result), so the request fails with the server's
     * {@code invalid_preface}, with or without the agent (checked without it). httpcore5 5.3 and 5.4 (the other
     * executions) negotiate {@code h2} correctly; the HTTP/2-only client over TLS ({@link #ASYNC_H2_TLS}) works on
     * 5.0 too.
     */
    String unsupported() {
        if ((this == ASYNC_TLS || this == ASYNC_MINIMAL_TLS) && HTTPCORE5.startsWith("5.0.")) {
            return this + ": httpcore5 " + HTTPCORE5 + " offers h2 by ALPN, then speaks HTTP/1.1 on the h2"
                    + " connection it negotiated (fails without the agent too)";
        }
        return null;
    }

    /** True: the way sends a {@code SimpleHttpRequest} ({@link #execute}). */
    boolean simple() {
        return async() && this != ASYNC_PRODUCER;
    }

    /** A request object for this way, with the headers given as name, value, name, value... in order. */
    Object request(String method, String url, String... headers) {
        URI uri = URI.create(url);
        boolean body = "POST".equals(method);
        switch (this) {
            case FLUENT: {
                Request r = Request.create(method, uri);
                for (int i = 0; i < headers.length; i += 2) {
                    r.addHeader(headers[i], headers[i + 1]);
                }
                if (body) {
                    r.bodyString("body", ContentType.TEXT_PLAIN);
                }
                return r;
            }
            case ASYNC_SIMPLE:
            case ASYNC_H2:
            case ASYNC_MINIMAL:
            case ASYNC_MINIMAL_H2:
            case ASYNC_TLS:
            case ASYNC_H2_TLS:
            case ASYNC_MINIMAL_TLS: {
                SimpleHttpRequest r = new SimpleHttpRequest(method, uri);
                addHeaders(r, headers);
                if (body) {
                    r.setBody("body", ContentType.TEXT_PLAIN);
                }
                return r;
            }
            case ASYNC_PRODUCER: {
                BasicHttpRequest r = new BasicHttpRequest(method, uri);
                addHeaders(r, headers);
                return r;
            }
            default: {
                HttpUriRequestBase r = new HttpUriRequestBase(method, uri);
                addHeaders(r, headers);
                if (body) {
                    r.setEntity(new StringEntity("body"));
                }
                return r;
            }
        }
    }

    private static void addHeaders(HttpRequest r, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            r.addHeader(headers[i], headers[i + 1]);
        }
    }

    /** Sends {@code request} (made by {@link #request}) and reads the whole response. */
    @SuppressWarnings("deprecation") // execute(HttpHost, request, context): deprecated in 5.3+, in use everywhere
    HttpClientAdapter.Response send(Object request) throws Exception {
        switch (this) {
            case CLASSIC_DEFAULT:
                return Clients.classicDefault().execute((HttpUriRequestBase) request, Way5::read);
            case CLASSIC_MINIMAL:
                return Clients.classicMinimal().execute((HttpUriRequestBase) request, Way5::read);
            case CLASSIC_TLS:
                return Clients.classicTls().execute((HttpUriRequestBase) request, Way5::read);
            case CLASSIC_CUSTOM: {
                HttpUriRequestBase r = (HttpUriRequestBase) request;
                HttpHost target = new HttpHost(r.getUri().getScheme(), r.getUri().getHost(), r.getUri().getPort());
                try (CloseableHttpResponse response = Clients.classicCustom().execute(target, r,
                        HttpClientContext.create())) {
                    return read(response);
                }
            }
            case FLUENT: {
                HttpResponse response = ((Request) request).execute().returnResponse();
                String body = response instanceof ClassicHttpResponse
                        ? EntityUtils.toString(((ClassicHttpResponse) response).getEntity()) : "";
                return new HttpClientAdapter.Response(response.getCode(), body);
            }
            case ASYNC_SIMPLE:
            case ASYNC_H2:
            case ASYNC_MINIMAL:
            case ASYNC_MINIMAL_H2:
            case ASYNC_TLS:
            case ASYNC_H2_TLS:
            case ASYNC_MINIMAL_TLS:
                return read(execute((SimpleHttpRequest) request).get(20, TimeUnit.SECONDS));
            case ASYNC_PRODUCER: {
                HttpRequest r = (HttpRequest) request;
                BasicRequestProducer producer = "POST".equals(r.getMethod())
                        ? new BasicRequestProducer(r, AsyncEntityProducers.create("body"))
                        : new BasicRequestProducer(r, null);
                Message<HttpResponse, String> response = Clients.asyncDefault().execute(producer,
                        new BasicResponseConsumer<>(new StringAsyncEntityConsumer()), null).get(20, TimeUnit.SECONDS);
                return new HttpClientAdapter.Response(response.getHead().getCode(),
                        String.valueOf(response.getBody()));
            }
            default:
                throw new AssertionError(this);
        }
    }

    /** For the ways that send a {@code SimpleHttpRequest}: starts sending it, returns at once. */
    Future<SimpleHttpResponse> execute(SimpleHttpRequest request) {
        switch (this) {
            case ASYNC_SIMPLE:
                return Clients.asyncDefault().execute(request, null);
            case ASYNC_H2:
                return Clients.asyncH2().execute(request, null);
            case ASYNC_MINIMAL:
                return Clients.asyncMinimal().execute(request, null);
            case ASYNC_MINIMAL_H2:
                return Clients.asyncMinimalH2().execute(request, null);
            case ASYNC_TLS:
                return Clients.asyncTls().execute(request, null);
            case ASYNC_H2_TLS:
                return Clients.asyncH2Tls().execute(request, null);
            case ASYNC_MINIMAL_TLS:
                return Clients.asyncMinimalTls().execute(request, null);
            default:
                throw new AssertionError(this + " does not send a SimpleHttpRequest");
        }
    }

    /** True: the client follows redirects and retries on its own (the minimal clients do neither). */
    boolean follows() {
        return this != CLASSIC_MINIMAL && this != ASYNC_MINIMAL && this != ASYNC_MINIMAL_H2
                && this != ASYNC_MINIMAL_TLS;
    }

    /** The trace headers the application's request object holds now; null for the fluent API, which hides it. */
    List<String> traceHeadersOf(Object request) {
        if (this == FLUENT) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (Header h : ((HttpRequest) request).getHeaders(Trace.NAME)) {
            values.add(h.getValue());
        }
        return values;
    }

    /** The status and the whole body of a classic response. */
    static HttpClientAdapter.Response read(ClassicHttpResponse response) throws IOException {
        try {
            return new HttpClientAdapter.Response(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()));
        } catch (org.apache.hc.core5.http.ParseException e) {
            throw new IOException(e);
        }
    }

    /** The status and the whole body of an async response. */
    static HttpClientAdapter.Response read(SimpleHttpResponse response) {
        return new HttpClientAdapter.Response(response.getCode(),
                response.getBodyText() == null ? "" : response.getBodyText());
    }

    /** The clients, made the first time they are used and kept for the test JVM. */
    static final class Clients {
        private static CloseableHttpClient classicDefault;
        private static CloseableHttpClient classicCustom;
        private static CloseableHttpClient classicMinimal;
        private static CloseableHttpAsyncClient asyncDefault;
        private static CloseableHttpAsyncClient asyncH2;
        private static CloseableHttpAsyncClient asyncMinimal;
        private static CloseableHttpAsyncClient asyncMinimalH2;
        private static CloseableHttpClient classicTls;
        private static CloseableHttpAsyncClient asyncTls;
        private static CloseableHttpAsyncClient asyncH2Tls;
        private static CloseableHttpAsyncClient asyncMinimalTls;

        private Clients() {
        }

        private static SSLContext sslContext() {
            try {
                return SelfSignedTls.get().context;
            } catch (Exception e) {
                throw new IllegalStateException("the test certificate", e);
            }
        }

        /** The async clients' TLS: trusts the test certificate; ALPN as the client's version policy says. */
        @SuppressWarnings("deprecation") // build(): deprecated in 5.6 for buildAsync(), which 5.0 lacks
        static TlsStrategy tlsStrategy() {
            return ClientTlsStrategyBuilder.create().setSslContext(sslContext()).build();
        }

        /** A classic connection manager whose TLS trusts the test certificate. */
        @SuppressWarnings("deprecation") // setSSLSocketFactory: deprecated in 5.4+, its successor not in 5.0
        static org.apache.hc.client5.http.io.HttpClientConnectionManager classicTlsConnectionManager() {
            return PoolingHttpClientConnectionManagerBuilder.create()
                    .setSSLSocketFactory(SSLConnectionSocketFactoryBuilder.create().setSslContext(sslContext()).build())
                    .build();
        }

        /** An async connection manager whose TLS trusts the test certificate. */
        static org.apache.hc.client5.http.nio.AsyncClientConnectionManager asyncTlsConnectionManager() {
            return PoolingAsyncClientConnectionManagerBuilder.create().setTlsStrategy(tlsStrategy()).build();
        }

        static synchronized CloseableHttpClient classicTls() {
            if (classicTls == null) {
                classicTls = HttpClients.custom().setConnectionManager(classicTlsConnectionManager()).build();
            }
            return classicTls;
        }

        @SuppressWarnings("deprecation") // setVersionPolicy: deprecated in 5.2+ for TlsConfig, which 5.0 lacks
        static synchronized CloseableHttpAsyncClient asyncTls() {
            if (asyncTls == null) {
                asyncTls = HttpAsyncClients.custom()
                        .setVersionPolicy(HttpVersionPolicy.NEGOTIATE)
                        .setConnectionManager(asyncTlsConnectionManager())
                        .build();
                asyncTls.start();
            }
            return asyncTls;
        }

        static synchronized CloseableHttpAsyncClient asyncH2Tls() {
            if (asyncH2Tls == null) {
                asyncH2Tls = HttpAsyncClients.customHttp2().setTlsStrategy(tlsStrategy()).build();
                asyncH2Tls.start();
            }
            return asyncH2Tls;
        }

        @SuppressWarnings("deprecation") // the version policy argument: deprecated in 5.2+ for TlsConfig
        static synchronized CloseableHttpAsyncClient asyncMinimalTls() {
            if (asyncMinimalTls == null) {
                asyncMinimalTls = HttpAsyncClients.createMinimal(HttpVersionPolicy.NEGOTIATE, H2Config.DEFAULT,
                        Http1Config.DEFAULT, IOReactorConfig.DEFAULT, asyncTlsConnectionManager());
                asyncMinimalTls.start();
            }
            return asyncMinimalTls;
        }

        static synchronized CloseableHttpClient classicDefault() {
            if (classicDefault == null) {
                classicDefault = HttpClients.createDefault();
            }
            return classicDefault;
        }

        static synchronized CloseableHttpClient classicCustom() {
            if (classicCustom == null) {
                classicCustom = HttpClients.custom().build();
            }
            return classicCustom;
        }

        static synchronized CloseableHttpClient classicMinimal() {
            if (classicMinimal == null) {
                classicMinimal = HttpClients.createMinimal();
            }
            return classicMinimal;
        }

        static synchronized CloseableHttpAsyncClient asyncDefault() {
            if (asyncDefault == null) {
                asyncDefault = HttpAsyncClients.createDefault();
                asyncDefault.start();
            }
            return asyncDefault;
        }

        static synchronized CloseableHttpAsyncClient asyncH2() {
            if (asyncH2 == null) {
                asyncH2 = H2AsyncClientBuilder.create().build();
                asyncH2.start();
            }
            return asyncH2;
        }

        static synchronized CloseableHttpAsyncClient asyncMinimal() {
            if (asyncMinimal == null) {
                asyncMinimal = HttpAsyncClients.createMinimal();
                asyncMinimal.start();
            }
            return asyncMinimal;
        }

        static synchronized CloseableHttpAsyncClient asyncMinimalH2() {
            if (asyncMinimalH2 == null) {
                asyncMinimalH2 = HttpAsyncClients.createHttp2Minimal();
                asyncMinimalH2.start();
            }
            return asyncMinimalH2;
        }
    }
}

package io.albtrace.instrumentation.httpclient;

import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;

/**
 * The ways an application commonly sends a request with HttpClient 5, each with a request object it can send
 * again. Uses only API that 5.0 to 5.6 all have. The clients are made once per test JVM.
 */
enum Way5 {
    /** {@code HttpClients.createDefault()}, {@code execute(request, responseHandler)}. */
    CLASSIC_DEFAULT(false),
    /** {@code HttpClients.custom().build()}, {@code execute(HttpHost, request, HttpContext)} and close. */
    CLASSIC_CUSTOM(false),
    /** {@code HttpClients.createMinimal()}, {@code execute(request, responseHandler)}. */
    CLASSIC_MINIMAL(false),
    /** The fluent API: {@code Request.get(uri).addHeader(...).execute()}. */
    FLUENT(false),
    /** {@code HttpAsyncClients.createDefault()}, {@code execute(SimpleHttpRequest, callback)}. */
    ASYNC_SIMPLE(false),
    /** {@code HttpAsyncClients.createDefault()}, {@code execute(BasicRequestProducer, BasicResponseConsumer, callback)}. */
    ASYNC_PRODUCER(false),
    /** {@code H2AsyncClientBuilder.create().build()}: HTTP/2 (h2c, prior knowledge), {@code SimpleHttpRequest}. */
    ASYNC_H2(true),
    /** {@code HttpAsyncClients.createMinimal()}: {@code MinimalHttpAsyncClient}, HTTP/1.1. */
    ASYNC_MINIMAL(false),
    /** {@code HttpAsyncClients.createHttp2Minimal()}: {@code MinimalH2AsyncClient}, HTTP/2 (h2c). */
    ASYNC_MINIMAL_H2(true);

    /** True: the way talks HTTP/2 and needs the HTTP/2 server. */
    final boolean h2;

    Way5(boolean h2) {
        this.h2 = h2;
    }

    boolean async() {
        return name().startsWith("ASYNC");
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
            case ASYNC_MINIMAL_H2: {
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

    /** Sends {@code request} (made by {@link #request}) and reads the whole response; returns its status. */
    @SuppressWarnings("deprecation") // execute(HttpHost, request, context): deprecated in 5.3+, in use everywhere
    int send(Object request) throws Exception {
        switch (this) {
            case CLASSIC_DEFAULT:
                return Clients.classicDefault().execute((HttpUriRequestBase) request, Way5::consume);
            case CLASSIC_MINIMAL:
                return Clients.classicMinimal().execute((HttpUriRequestBase) request, Way5::consume);
            case CLASSIC_CUSTOM: {
                HttpUriRequestBase r = (HttpUriRequestBase) request;
                HttpHost target = new HttpHost(r.getUri().getScheme(), r.getUri().getHost(), r.getUri().getPort());
                try (CloseableHttpResponse response = Clients.classicCustom().execute(target, r,
                        HttpClientContext.create())) {
                    EntityUtils.consume(response.getEntity());
                    return response.getCode();
                }
            }
            case FLUENT: {
                HttpResponse response = ((Request) request).execute().returnResponse();
                return response.getCode();
            }
            case ASYNC_SIMPLE:
            case ASYNC_H2:
            case ASYNC_MINIMAL:
            case ASYNC_MINIMAL_H2:
                return execute((SimpleHttpRequest) request).get(20, TimeUnit.SECONDS).getCode();
            case ASYNC_PRODUCER: {
                HttpRequest r = (HttpRequest) request;
                BasicRequestProducer producer = "POST".equals(r.getMethod())
                        ? new BasicRequestProducer(r, AsyncEntityProducers.create("body"))
                        : new BasicRequestProducer(r, null);
                Message<HttpResponse, String> response = Clients.asyncDefault().execute(producer,
                        new BasicResponseConsumer<>(new StringAsyncEntityConsumer()), null).get(20, TimeUnit.SECONDS);
                return response.getHead().getCode();
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
            default:
                throw new AssertionError(this + " does not send a SimpleHttpRequest");
        }
    }

    /** True: the client follows redirects and retries on its own (the minimal clients do neither). */
    boolean follows() {
        return this != CLASSIC_MINIMAL && this != ASYNC_MINIMAL && this != ASYNC_MINIMAL_H2;
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

    private static int consume(org.apache.hc.core5.http.ClassicHttpResponse response) throws IOException {
        EntityUtils.consume(response.getEntity());
        return response.getCode();
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

        private Clients() {
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

package io.albtrace.instrumentation.httpclient;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpResponse;
import org.apache.http.client.HttpClient;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.DefaultServiceUnavailableRetryStrategy;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/** The ways an application commonly sends a request with HttpClient 4.5 ({@code org.apache.http}). */
@SuppressWarnings("deprecation") // DefaultHttpClient: deprecated since 4.3, still inside many applications
enum Way4 {
    /** {@code HttpClients.createDefault()}, {@code execute(request, responseHandler)}: InternalHttpClient. */
    DEFAULT,
    /** {@code HttpClients.custom()} with a 503 retry strategy, {@code execute(request)}: InternalHttpClient. */
    CUSTOM_RETRYING,
    /** {@code HttpClients.createMinimal()}, {@code execute(HttpHost, request)}: MinimalHttpClient. */
    MINIMAL,
    /** {@code new DefaultHttpClient()}: AbstractHttpClient and its own connection classes. */
    LEGACY,
    /**
     * HTTPS: {@code HttpClients.custom().setSSLContext(...)} trusting the test certificate ({@code SelfSignedTls}), host
     * names verified as usual, {@code execute(request)}: InternalHttpClient over TLS, HTTP/1.1.
     */
    TLS;

    private HttpClient client;

    synchronized HttpClient client() {
        if (client == null) {
            switch (this) {
                case DEFAULT:
                    client = HttpClients.createDefault();
                    break;
                case CUSTOM_RETRYING:
                    client = HttpClients.custom()
                            .setServiceUnavailableRetryStrategy(new DefaultServiceUnavailableRetryStrategy(1, 1))
                            .build();
                    break;
                case MINIMAL:
                    client = HttpClients.createMinimal();
                    break;
                case TLS:
                    try {
                        client = HttpClients.custom().setSSLContext(SelfSignedTls.get().context).build();
                    } catch (Exception e) {
                        throw new IllegalStateException("the test certificate", e);
                    }
                    break;
                default:
                    client = new org.apache.http.impl.client.DefaultHttpClient();
            }
        }
        return client;
    }

    /** True: the way talks TLS ({@code https:}) and needs the TLS server. */
    boolean tls() {
        return this == TLS;
    }

    /** A request object, with the headers given as name, value, name, value... in order. */
    HttpRequestBase request(String method, String url, String... headers) {
        RequestBuilder b = RequestBuilder.create(method).setUri(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            b.addHeader(headers[i], headers[i + 1]);
        }
        if ("POST".equals(method)) {
            b.setEntity(new StringEntity("body", "UTF-8"));
        }
        return (HttpRequestBase) b.build();
    }

    /** Sends it and reads the whole response. */
    HttpClientAdapter.Response send(HttpRequestBase request) throws Exception {
        switch (this) {
            case DEFAULT:
                return client().execute(request, Way4::read);
            case MINIMAL: {
                URI u = request.getURI();
                return read(client().execute(new HttpHost(u.getHost(), u.getPort(), u.getScheme()), request));
            }
            default:
                return read(client().execute(request));
        }
    }

    /** The status and the whole body. */
    static HttpClientAdapter.Response read(HttpResponse response) throws java.io.IOException {
        return new HttpClientAdapter.Response(response.getStatusLine().getStatusCode(),
                response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()));
    }

    static List<String> traceHeadersOf(HttpRequestBase request) {
        List<String> values = new ArrayList<>();
        for (Header h : request.getHeaders(Trace.NAME)) {
            values.add(h.getValue());
        }
        return values;
    }
}

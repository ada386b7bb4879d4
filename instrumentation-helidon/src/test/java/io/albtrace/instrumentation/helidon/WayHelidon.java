package io.albtrace.instrumentation.helidon;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.testing.SelfSignedTls;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http2.Http2Client;
import io.helidon.webclient.http2.Http2ClientProtocolConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The ways an application commonly sends a request with Helidon 4's blocking clients. */
enum WayHelidon {
    /** {@code WebClient} (picks the protocol itself), HTTP/1.1 in clear text. */
    WEBCLIENT(false, false),
    /** {@code Http1Client}, HTTPS, trusting the test certificate, host names verified. */
    HTTP1_TLS(true, false),
    /** {@code Http2Client}, h2c with prior knowledge. */
    H2C(false, true),
    /** {@code WebClient} over TLS, where ALPN picks h2. */
    WEBCLIENT_H2_TLS(true, true);

    final boolean tls;
    final boolean h2;
    private Object client;

    WayHelidon(boolean tls, boolean h2) {
        this.tls = tls;
        this.h2 = h2;
    }

    /** This way's client, made once per test JVM. */
    synchronized Object client() throws Exception {
        if (client == null) {
            client = newClient(null);
        }
        return client;
    }

    /** A new client of this way; through the HTTP proxy at {@code proxy} when it is not null. */
    Object newClient(InetSocketAddress proxy) throws Exception {
        Tls tls = Tls.builder().sslContext(SelfSignedTls.get().context).build();
        Proxy p = proxy == null ? Proxy.noProxy()
                : Proxy.builder().type(Proxy.ProxyType.HTTP).host("127.0.0.1").port(proxy.getPort()).build();
        Duration timeout = Duration.ofSeconds(20);
        switch (this) {
            case WEBCLIENT:
                // HTTP/1.1 through a proxy's tunnel too, where ALPN would pick h2
                return WebClient.builder().tls(tls).proxy(p).followRedirects(true).readTimeout(timeout)
                        .protocolPreference(List.of("http/1.1")).build();
            case WEBCLIENT_H2_TLS:
                return WebClient.builder().tls(tls).proxy(p).followRedirects(true).readTimeout(timeout).build();
            case HTTP1_TLS:
                return Http1Client.builder().tls(tls).proxy(p).followRedirects(true).readTimeout(timeout).build();
            case H2C:
                return Http2Client.builder().tls(tls).proxy(p).followRedirects(true).readTimeout(timeout)
                        .protocolConfig(Http2ClientProtocolConfig.builder().priorKnowledge(true).build()).build();
            default:
                throw new IllegalStateException(name());
        }
    }

    synchronized void close() {
        if (client instanceof WebClient) {
            ((WebClient) client).closeResource();
        }
        client = null;
    }

    /** A request object of {@code c}, with the headers given as name, value, name, value... in order. */
    static ClientRequest<?> request(Object c, String method, String url, List<String> headers) {
        Method m = Method.create(method);
        ClientRequest<?> r;
        if (c instanceof WebClient) {
            r = ((WebClient) c).method(m).uri(URI.create(url)); // a String is taken as a path: its '?' would be encoded
        } else if (c instanceof Http1Client) {
            r = ((Http1Client) c).method(m).uri(URI.create(url)); // a String is taken as a path: its '?' would be encoded
        } else {
            r = ((Http2Client) c).method(m).uri(URI.create(url)); // a String is taken as a path: its '?' would be encoded
        }
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            // Helidon 4.5.0's HTTP/2 client never returns when it indexes a header larger than its HPACK table
            // (4,096 bytes): an application that sends one over HTTP/2 marks it "changing" (not indexed)
            boolean big = value.length() > 3000;
            r.headers(h -> h.add(big ? HeaderValues.create(HeaderNames.create(name), true, false, value)
                    : HeaderValues.create(name, value)));
        }
        return r;
    }

    /** Sends it and reads the whole response. */
    static HttpClientAdapter.Response send(ClientRequest<?> request) {
        boolean post = request instanceof io.helidon.webclient.api.ClientRequestBase
                && ((io.helidon.webclient.api.ClientRequestBase<?, ?>) request).method() == Method.POST;
        try (HttpClientResponse r = post ? request.header(HeaderValues.create("Content-Type", "text/plain"))
                .submit("body") : request.request()) {
            return new HttpClientAdapter.Response(r.status().code(), r.entity().hasEntity() ? r.as(String.class) : "");
        }
    }
}

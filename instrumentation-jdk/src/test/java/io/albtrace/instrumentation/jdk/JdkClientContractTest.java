package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.HttpClientContract;
import io.albtrace.testing.SelfSignedTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client contract ({@link HttpClientContract}) through the JDK's two clients, on JDK 17 and Temurin 25:
 * {@code java.net.http.HttpClient} ({@code send} and {@code sendAsync}) over HTTP/1.1 and HTTP/2, in clear text (h2c:
 * the client upgrades a connection's first request) and over TLS (h2 by ALPN), with redirects and authentication
 * follow-ups; and {@code HttpURLConnection} over {@code http:} and {@code https:}. Both through a proxy
 * ({@code ProxySelector.of}, {@code openConnection(Proxy)}) and a {@code CONNECT} tunnel.
 */
@ExtendWith(InstalledAgent.class)
class JdkClientContractTest extends HttpClientContract {

    @Override
    protected List<HttpClientAdapter> adapters() {
        return List.of(new JdkHttpClientWay(HttpClientAdapter.Protocol.HTTP_1_1, false),
                new JdkHttpClientWay(HttpClientAdapter.Protocol.HTTP_1_1, true),
                new JdkHttpClientWay(HttpClientAdapter.Protocol.HTTP_2, false),
                new JdkHttpClientWay(HttpClientAdapter.Protocol.HTTP_2, true),
                new UrlConnectionWay(false), new UrlConnectionWay(true));
    }

    /** Answers a Basic challenge with {@code user}/{@code secret}. */
    static final Authenticator USER = new Authenticator() {
        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            return new PasswordAuthentication("user", "secret".toCharArray());
        }
    };

    /** {@code HttpClient.newBuilder().version(...)}, redirects followed ({@code NORMAL}), an authenticator. */
    static final class JdkHttpClientWay extends HttpClientAdapter {
        private HttpClient shared;

        JdkHttpClientWay(Protocol protocol, boolean tls) {
            super("jdk-httpclient", protocol, tls);
        }

        @Override
        public String instrumentation() {
            return "jdk-httpclient";
        }

        @Override
        public boolean saysItsFailures() {
            return false; // as found: alone the contract sees no line, after the module's other tests one
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.ASYNC, Feature.CONCURRENT, Feature.REDIRECTS,
                    Feature.REDIRECT_302_POST_AS_GET, Feature.AUTHENTICATION, Feature.REUSABLE_REQUEST);
            if (protocol == Protocol.HTTP_1_1 ? !tls : tls) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) throws Exception {
            HttpClient.Builder b = HttpClient.newBuilder()
                    .version(protocol == Protocol.HTTP_2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NORMAL).authenticator(USER)
                    .sslContext(SelfSignedTls.get().context);
            if (proxy != null) {
                return new Sends(b.proxy(ProxySelector.of(proxy)).build());
            }
            if (shared == null) {
                shared = b.build();
                if (protocol == Protocol.HTTP_2 && !tls) {
                    // h2c: the connection's first request asks for the upgrade, the following ones are streams
                    HttpResponse<String> r = shared.send(HttpRequest.newBuilder(URI.create(
                            server.url(false, "/upgrade"))).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(HttpClient.Version.HTTP_2, r.version());
                }
            }
            return new Sends(shared);
        }
    }

    /** {@code send}, {@code sendAsync}; the application's {@code HttpRequest} is immutable and shows what it set. */
    static final class Sends implements HttpClientAdapter.Client {
        private final HttpClient client;

        Sends(HttpClient client) {
            this.client = client;
        }

        @Override
        public Object request(HttpClientAdapter.Request r) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r.url)).method(r.method, r.body == null
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body));
            for (int i = 0; i < r.headers.size(); i += 2) {
                b.header(r.headers.get(i), r.headers.get(i + 1));
            }
            return b.build();
        }

        @Override
        public HttpClientAdapter.Response send(Object request) throws Exception {
            HttpResponse<String> r = client.send((HttpRequest) request, HttpResponse.BodyHandlers.ofString());
            return new HttpClientAdapter.Response(r.statusCode(), r.body());
        }

        @Override
        public HttpClientAdapter.Pending submit(Object request) {
            CompletableFuture<HttpResponse<String>> f = client.sendAsync((HttpRequest) request,
                    HttpResponse.BodyHandlers.ofString());
            return () -> {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                return new HttpClientAdapter.Response(r.statusCode(), r.body());
            };
        }

        @Override
        public List<String> traceHeadersOf(Object request) {
            return ((HttpRequest) request).headers().allValues(io.albtrace.testing.Trace.NAME);
        }
    }

    /** {@code new URL(url).openConnection()}: one request per connection, written when the response is asked for. */
    static final class UrlConnectionWay extends HttpClientAdapter {

        UrlConnectionWay(boolean tls) {
            super("http-url-connection", Protocol.HTTP_1_1, tls);
        }

        @Override
        public String instrumentation() {
            return "http-url-connection";
        }

        @Override
        public boolean saysItsFailures() {
            return false; // as found: alone the contract sees no line, after the module's other tests one
        }

        @Override
        public Set<Feature> features() {
            Set<Feature> f = EnumSet.of(Feature.CONCURRENT, Feature.REDIRECTS, Feature.REDIRECT_302_POST_AS_GET);
            if (!tls) {
                f.addAll(List.of(Feature.PROXY, Feature.PROXY_TUNNEL));
            }
            return f;
        }

        @Override
        public Client client(ContractServer server, InetSocketAddress proxy) {
            return new Client() {
                @Override
                public Object request(Request r) throws Exception {
                    URL url = new URL(r.url);
                    HttpURLConnection c = (HttpURLConnection) (proxy == null ? url.openConnection()
                            : url.openConnection(new Proxy(Proxy.Type.HTTP, proxy)));
                    c.setUseCaches(false);
                    if (c instanceof HttpsURLConnection) {
                        ((HttpsURLConnection) c).setSSLSocketFactory(SelfSignedTls.get().context.getSocketFactory());
                    }
                    c.setRequestMethod(r.method);
                    for (int i = 0; i < r.headers.size(); i += 2) {
                        c.addRequestProperty(r.headers.get(i), r.headers.get(i + 1));
                    }
                    if (r.body != null) {
                        c.setDoOutput(true);
                        try (OutputStream out = c.getOutputStream()) {
                            out.write(r.body.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    return c;
                }

                @Override
                public Response send(Object request) throws IOException {
                    HttpURLConnection c = (HttpURLConnection) request;
                    int status = c.getResponseCode();
                    if (proxy != null) {
                        assertTrue(c.usingProxy(), "the connection went through the proxy");
                    }
                    try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                        return new Response(status, in == null ? "" : new String(in.readAllBytes(),
                                StandardCharsets.UTF_8));
                    }
                }
            };
        }
    }
}

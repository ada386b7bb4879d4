package io.albtrace.instrumentation.httpclient;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http2.HttpVersionPolicy;

/**
 * HttpClient 5 async with a proxy: {@code HttpAsyncClients.custom().setProxy(...)}, {@code SimpleHttpRequest}; to an
 * {@code https:} origin through a {@code CONNECT} tunnel ({@code AsyncConnectExec}), in it HTTP/2 as ALPN negotiates
 * ({@code HttpVersionPolicy.NEGOTIATE}, the default). The context is the one where {@code execute} was called,
 * although the request, and the {@code CONNECT} before it, go out later on the I/O reactor.
 */
class Http5AsyncProxyTest extends ProxyTestSupport {

    /** The client's version policy. */
    HttpVersionPolicy versionPolicy() {
        return HttpVersionPolicy.NEGOTIATE;
    }

    @Override
    String unsupported(boolean https) {
        return https ? Way5.ASYNC_TLS.unsupported() : null; // httpcore5 5.0 cannot negotiate h2 over TLS
    }

    @Override
    @SuppressWarnings("deprecation") // setVersionPolicy: deprecated in 5.2+ for TlsConfig, which 5.0 lacks
    ProxiedClient client(int proxyPort) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setProxy(new HttpHost("http", "127.0.0.1", proxyPort))
                .setVersionPolicy(versionPolicy())
                .setConnectionManager(Way5.Clients.asyncTlsConnectionManager())
                .build();
        client.start();
        return new ProxiedClient() {
            @Override
            public Callable<Integer> submit(String method, String url, String... headers) {
                SimpleHttpRequest request = new SimpleHttpRequest(method, URI.create(url));
                for (int i = 0; i < headers.length; i += 2) {
                    request.addHeader(headers[i], headers[i + 1]);
                }
                Future<SimpleHttpResponse> response = client.execute(request, null);
                return () -> response.get(20, TimeUnit.SECONDS).getCode();
            }

            @Override
            public void close() throws IOException {
                client.close();
            }
        };
    }

    @Override
    String tunnelledProtocol() {
        return "HTTP/2.0";
    }
}

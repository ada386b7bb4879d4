package io.albtrace.instrumentation.httpclient;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.Callable;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * HttpClient 5 classic with a proxy: {@code HttpClients.custom().setProxy(...)}; to an {@code https:} origin through
 * a {@code CONNECT} tunnel ({@code ConnectExec}), HTTP/1.1 inside it.
 */
class Http5ClassicProxyTest extends ProxyTestSupport {

    @Override
    ProxiedClient client(int proxyPort) {
        CloseableHttpClient client = HttpClients.custom()
                .setProxy(new HttpHost("http", "127.0.0.1", proxyPort))
                .setConnectionManager(Way5.Clients.classicTlsConnectionManager())
                .build();
        return new ProxiedClient() {
            @Override
            public Callable<Integer> submit(String method, String url, String... headers) throws Exception {
                HttpUriRequestBase request = new HttpUriRequestBase(method, URI.create(url));
                for (int i = 0; i < headers.length; i += 2) {
                    request.addHeader(headers[i], headers[i + 1]);
                }
                int status = client.execute(request, response -> {
                    EntityUtils.consume(response.getEntity());
                    return response.getCode();
                });
                return () -> status;
            }

            @Override
            public void close() throws IOException {
                client.close();
            }
        };
    }

    @Override
    String tunnelledProtocol() {
        return "HTTP/1.1";
    }
}

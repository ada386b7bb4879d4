package io.albtrace.instrumentation.httpclient;

import io.albtrace.testing.SelfSignedTls;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.http.HttpHost;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/**
 * HttpClient 4.5 with a proxy: {@code HttpClients.custom().setProxy(...)}; to an {@code https:} origin through a
 * {@code CONNECT} tunnel ({@code MainClientExec#createTunnelToTarget}), HTTP/1.1 inside it.
 */
class HttpClient4ProxyTest extends ProxyTestSupport {

    @Override
    ProxiedClient client(int proxyPort) throws Exception {
        CloseableHttpClient client = HttpClients.custom()
                .setProxy(new HttpHost("127.0.0.1", proxyPort, "http"))
                .setSSLContext(SelfSignedTls.get().context)
                .build();
        return new ProxiedClient() {
            @Override
            public Callable<Integer> submit(String method, String url, String... headers) throws Exception {
                RequestBuilder request = RequestBuilder.create(method).setUri(url);
                for (int i = 0; i < headers.length; i += 2) {
                    request.addHeader(headers[i], headers[i + 1]);
                }
                int status = client.execute(request.build(), response -> {
                    EntityUtils.consume(response.getEntity());
                    return response.getStatusLine().getStatusCode();
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

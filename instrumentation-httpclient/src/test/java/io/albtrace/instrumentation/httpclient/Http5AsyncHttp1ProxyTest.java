package io.albtrace.instrumentation.httpclient;

import org.apache.hc.core5.http2.HttpVersionPolicy;

/**
 * As {@link Http5AsyncProxyTest}, the client limited to HTTP/1.1 ({@code HttpVersionPolicy.FORCE_HTTP_1}): through
 * the {@code CONNECT} tunnel the request goes out on an HTTP/1.1 connection, on every HttpClient 5 line.
 */
class Http5AsyncHttp1ProxyTest extends Http5AsyncProxyTest {

    @Override
    HttpVersionPolicy versionPolicy() {
        return HttpVersionPolicy.FORCE_HTTP_1;
    }

    @Override
    String unsupported(boolean https) {
        return null;
    }

    @Override
    String tunnelledProtocol() {
        return "HTTP/1.1";
    }
}

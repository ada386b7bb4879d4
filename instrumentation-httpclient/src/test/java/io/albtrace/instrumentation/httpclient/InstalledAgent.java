package io.albtrace.instrumentation.httpclient;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.List;

/**
 * Installs the real Apache HttpClient instrumentation into the test JVM, once, the way the agent does: the
 * modules listed in META-INF/services are found by the {@link Installer} and a class-file transformer is
 * added; classes loaded earlier are retransformed.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "apache-httpclient";
    static final boolean BOOT_CORE = false;

    static final List<String> TYPES = List.of(
            "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
            "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
            "org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection",
            "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient",
            "org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec",
            "org.apache.hc.client5.http.impl.async.H2AsyncMainClientExec",
            "org.apache.hc.client5.http.impl.async.AsyncConnectExec",
            "org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient",
            "org.apache.hc.client5.http.impl.async.MinimalH2AsyncClient",
            "org.apache.hc.core5.http.impl.nio.ClientHttp1StreamHandler",
            "org.apache.hc.core5.http2.impl.nio.ClientH2StreamHandler",
            "org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter",
            "org.apache.hc.core5.http2.impl.DefaultH2RequestConverter",
            "org.apache.http.impl.client.InternalHttpClient",
            "org.apache.http.impl.client.MinimalHttpClient",
            "org.apache.http.impl.client.AbstractHttpClient",
            "org.apache.http.impl.DefaultBHttpClientConnection",
            "org.apache.http.impl.AbstractHttpClientConnection",
            "org.apache.http.impl.nio.client.InternalHttpAsyncClient",
            "org.apache.http.impl.nio.client.MinimalHttpAsyncClient",
            "org.apache.http.impl.nio.client.AbstractClientExchangeHandler",
            "org.apache.http.impl.nio.DefaultNHttpClientConnection");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

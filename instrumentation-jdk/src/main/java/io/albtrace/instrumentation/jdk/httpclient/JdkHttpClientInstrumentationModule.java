package io.albtrace.instrumentation.jdk.httpclient;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * The JDK's {@code java.net.http.HttpClient} (Java 11+, proven on 17 and 25): {@code send}, {@code sendAsync},
 * HTTP/1.1 and HTTP/2, and the WebSocket opening handshake. {@code albtrace.instrumentation.jdk-httpclient.enabled}.
 */
public final class JdkHttpClientInstrumentationModule extends InstrumentationModule {

    public JdkHttpClientInstrumentationModule() {
        super("jdk-httpclient");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new HttpRequestImplInstrumentation(), new Http1RequestInstrumentation(),
                new OutgoingHeadersInstrumentation(), new HttpClientImplInstrumentation());
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "jdk.internal.net.http.HttpRequestImpl",
                "jdk.internal.net.http.Http1Request",
                "jdk.internal.net.http.frame.OutgoingHeaders",
                "jdk.internal.net.http.HttpClientImpl");
    }
}

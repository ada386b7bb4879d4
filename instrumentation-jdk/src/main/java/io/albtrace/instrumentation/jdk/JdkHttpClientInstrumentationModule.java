package io.albtrace.instrumentation.jdk;

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
                new OutgoingHeadersInstrumentation());
    }
}

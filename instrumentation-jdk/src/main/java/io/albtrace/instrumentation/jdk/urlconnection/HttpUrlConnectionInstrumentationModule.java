package io.albtrace.instrumentation.jdk.urlconnection;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java.net.HttpURLConnection} for {@code http:} and {@code https:} URLs (the JDK's
 * {@code sun.net.www.protocol.http} implementation; https delegates to it).
 * {@code albtrace.instrumentation.http-url-connection.enabled}.
 */
public final class HttpUrlConnectionInstrumentationModule extends InstrumentationModule {

    public HttpUrlConnectionInstrumentationModule() {
        super("http-url-connection");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new HttpUrlConnectionInstrumentation(), new NetHttpClientInstrumentation());
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "sun.net.www.protocol.http.HttpURLConnection",
                "sun.net.www.http.HttpClient");
    }
}

package io.albtrace.instrumentation.jdk.httpserver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/**
 * The server entry point of the JDK's {@code com.sun.net.httpserver.HttpServer} and {@code HttpsServer}
 * (SPEC section 4). {@code albtrace.instrumentation.jdk-httpserver.enabled}.
 */
public final class JdkHttpServerInstrumentationModule extends InstrumentationModule {

    public JdkHttpServerInstrumentationModule() {
        super("jdk-httpserver");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Collections.singletonList(new FilterChainInstrumentation());
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        return Collections.singletonList("com.sun.net.httpserver.Filter$Chain");
    }
}

package io.albtrace.instrumentation.jdk;

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
}

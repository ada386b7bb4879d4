package io.albtrace.instrumentation.okhttp;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/** OkHttp 3.14, 4.x and 5.x: {@code albtrace.instrumentation.okhttp.enabled}. */
public final class OkHttpInstrumentationModule extends InstrumentationModule {

    public OkHttpInstrumentationModule() {
        super("okhttp");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new RealCallInstrumentation(), new ExchangeInstrumentation());
    }
}

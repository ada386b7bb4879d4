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
        return Arrays.asList(new RealCallInstrumentation(), new ExchangeInstrumentation(),
                new Http1ExchangeCodecInstrumentation(), new Http2ExchangeCodecInstrumentation());
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "okhttp3.RealCall",
                "okhttp3.internal.connection.RealCall",
                "okhttp3.internal.connection.Exchange",
                "okhttp3.internal.http1.Http1ExchangeCodec",
                "okhttp3.internal.http2.Http2ExchangeCodec");
    }
}

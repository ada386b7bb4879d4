package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Both codecs are loaded, woven (by the ASM weaver: {@link InstalledAgent} fails the class otherwise) and verified
 * by the JVM on every OkHttp line, HTTP/2's too, which no test here sends.
 */
class CodecWeavingTest extends OkHttpTestSupport {

    @Test
    void theCodecsLoadAndLink() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        for (String name : new String[] {"okhttp3.internal.http1.Http1ExchangeCodec",
                "okhttp3.internal.http2.Http2ExchangeCodec"}) {
            Class<?> codec = Class.forName(name, true, loader);
            codec.getDeclaredMethods(); // links the methods, the woven ones included
            assertEquals(name, codec.getName());
        }
    }
}

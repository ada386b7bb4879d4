package io.albtrace.instrumentation.httpclient;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Apache HttpAsyncClient 4.1 ({@code org.apache.http.impl.nio.client}, on httpcore-nio 4.4), the client inside
 * Elasticsearch's and OpenSearch's low-level {@code RestClient}:
 * {@code albtrace.instrumentation.apache-httpasyncclient.enabled}.
 *
 * <p>As HttpClient 5 async ({@link ApacheHttpClientInstrumentationModule}): each logical request (what the
 * application asked for, with the redirects, authentication follow-ups and retries the client derives from it on
 * the I/O reactor) is one {@link io.albtrace.core.OutgoingCall}, captured with the caller's context where
 * {@code execute} is called and kept in the call's {@code HttpContext} ({@link AsyncClient4Instrumentation}); every
 * request the exchange handler is given to send carries that call's value ({@link AsyncClient4ExchangeInstrumentation}),
 * and the connection applies the size rule over the headers as written ({@link AsyncClient4ConnectionInstrumentation}).
 * A pipelined {@code execute} of the minimal client captures one call per request.
 */
public final class ApacheHttpAsyncClientInstrumentationModule extends InstrumentationModule {

    public ApacheHttpAsyncClientInstrumentationModule() {
        super("apache-httpasyncclient");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(
                new AsyncClient4Instrumentation(),
                new AsyncClient4ExchangeInstrumentation(),
                new AsyncClient4ConnectionInstrumentation());
    }

    /** The classes the type instrumentations above change (see {@link InstrumentationModule#typeNames()}). */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "org.apache.http.impl.nio.client.InternalHttpAsyncClient",
                "org.apache.http.impl.nio.client.MinimalHttpAsyncClient",
                "org.apache.http.impl.nio.client.AbstractClientExchangeHandler",
                "org.apache.http.impl.nio.DefaultNHttpClientConnection");
    }
}

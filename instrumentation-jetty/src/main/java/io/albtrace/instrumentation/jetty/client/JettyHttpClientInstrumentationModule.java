package io.albtrace.instrumentation.jetty.client;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Jetty's {@code HttpClient} 12 ({@code org.eclipse.jetty.client}, its transport in
 * {@code org.eclipse.jetty.client.transport}) and 9.4, 10 and 11 ({@code org.eclipse.jetty.client} with the
 * {@code org.eclipse.jetty.client.api} API), over HTTP/1.1 and HTTP/2 (their {@code HttpClientTransportOverHTTP2},
 * {@code HttpClientTransportDynamic}): {@code albtrace.instrumentation.jetty-httpclient.enabled}.
 *
 * <p>The two generations' classes have different names, so each has its own pair of type instrumentations
 * ({@code Jetty9*} for 9.4 to 11, whose advice is compiled against 9.4 from {@code src/main/jetty9} and calls only
 * what 10 and 11 have with the same descriptors); a class loader has one generation's classes, and the check before
 * weaving looks only at the classes that class loader has.
 *
 * <p>Each logical request (what the application sends, with the redirects and authentication follow-ups Jetty
 * derives from it, which share its {@code HttpConversation}) is one {@link io.albtrace.core.OutgoingCall}: captured
 * with the caller's context where the application sends it ({@link RequestSendInstrumentation}; the synchronous
 * {@code send()} ends there too) and kept in the conversation; the connection writes the call's value when it
 * completes the request's headers, on whichever thread ({@link NormalizeRequestInstrumentation}).
 */
public final class JettyHttpClientInstrumentationModule extends InstrumentationModule {

    public JettyHttpClientInstrumentationModule() {
        super("jetty-httpclient");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new RequestSendInstrumentation(), new NormalizeRequestInstrumentation(),
                new Jetty9RequestSendInstrumentation(), new Jetty9NormalizeRequestInstrumentation());
    }

    /** The classes the type instrumentations above change (see {@link InstrumentationModule#typeNames()}). */
    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.eclipse.jetty.client.transport.HttpRequest",
                "org.eclipse.jetty.client.transport.HttpConnection",
                Jetty9RequestSendInstrumentation.TYPE, Jetty9NormalizeRequestInstrumentation.TYPE);
    }
}

package io.albtrace.instrumentation.helidon;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Helidon SE 4 ({@code io.helidon.webserver}, {@code io.helidon.webclient}), over HTTP/1.1 and HTTP/2:
 * {@code albtrace.instrumentation.helidon.enabled}.
 *
 * <ul>
 *   <li>Server entry: the routing of each request ({@link RoutingInstrumentation}), the one place every request of
 *       every protocol goes through, on the thread that runs its handler (a virtual thread of the connection for
 *       HTTP/1.1, of the stream for HTTP/2), around its filters and routes.</li>
 *   <li>Client: each logical call of a {@code WebClient}, {@code Http1Client} or {@code Http2Client} request
 *       ({@link ClientRequestInstrumentation}, on the caller's thread: Helidon's client is blocking), written on
 *       each send where its headers are final ({@link Http1HeadersInstrumentation},
 *       {@link Http2HeadersInstrumentation}).</li>
 * </ul>
 *
 * <p>This class is loaded on every JDK the agent runs on (17 included) and names no Helidon type; the advice classes
 * do, and are read by the weaver as bytes only where Helidon is (see this module's pom on how it is compiled).
 */
public final class HelidonInstrumentationModule extends InstrumentationModule {

    public HelidonInstrumentationModule() {
        super("helidon");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new RoutingInstrumentation(), new ClientRequestInstrumentation(),
                new Http1HeadersInstrumentation(), new Http2HeadersInstrumentation());
    }

    /** The classes the type instrumentations above change (see {@link InstrumentationModule#typeNames()}). */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(RoutingInstrumentation.TYPE, ClientRequestInstrumentation.TYPE,
                Http1HeadersInstrumentation.TYPE, Http2HeadersInstrumentation.TYPE);
    }

    /** Helidon's HTTP types, which every Helidon 4 server and client has beside the classes changed. */
    @Override
    public List<String> libraryClasses() {
        return Collections.singletonList("io.helidon.http.Headers");
    }
}

package io.albtrace.instrumentation.jetty.server;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Jetty 12's core server ({@code org.eclipse.jetty.server}: {@code Handler}, {@code Handler.Abstract},
 * {@code Handler.Wrapper}, {@code ContextHandler}, without the servlet layer or with it) as a server entry point
 * (SPEC 4): {@code albtrace.instrumentation.jetty.enabled}.
 * <ul>
 *   <li>{@link ServerHandleInstrumentation}: each request's context is bound while the handler tree runs for it, once
 *       ({@code Server.handle}); its hop log line ends when the request completes;</li>
 *   <li>{@link ChannelRequestDemandInstrumentation}: the request's demand callbacks (reading its content later) run
 *       with its context.</li>
 * </ul>
 * Not covered: a {@code Callback} of a response write completed later by Jetty (on a selector or pool thread) runs with
 * no context, as does a task handed to Jetty's own thread pool ({@code QueuedThreadPool}, {@code Context.execute});
 * a handler that completes its request later from the application's own threads has the context there only where
 * the executors instrumentation carries it (the JDK's executors, {@code CompletableFuture}).
 */
public final class JettyServerInstrumentationModule extends InstrumentationModule {

    public JettyServerInstrumentationModule() {
        super("jetty");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new ServerHandleInstrumentation(), new ChannelRequestDemandInstrumentation());
    }

    /** The classes the type instrumentations above change (see {@link InstrumentationModule#typeNames()}). */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(ServerHandleInstrumentation.TYPE, ChannelRequestDemandInstrumentation.TYPE);
    }
}

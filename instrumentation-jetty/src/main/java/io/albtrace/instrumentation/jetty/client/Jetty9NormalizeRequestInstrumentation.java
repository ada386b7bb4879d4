package io.albtrace.instrumentation.jetty.client;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/**
 * Jetty 9.4, 10 and 11 {@code org.eclipse.jetty.client.HttpConnection#normalizeRequest}: what
 * {@link NormalizeRequestInstrumentation} is for Jetty 12. Every connection (HTTP/1.1's
 * {@code HttpConnectionOverHTTP$Delegate}, HTTP/2's {@code HttpConnectionOverHTTP2}) calls it for each request it is
 * about to send, on whichever thread sends it; on return the request has its final headers. Its argument is a
 * {@code org.eclipse.jetty.client.api.Request} in 9.4 and an {@code HttpRequest} in 10 and 11: the advice
 * ({@code Jetty9NormalizeAdvice}, compiled against Jetty 9.4 from {@code src/main/jetty9}) takes either.
 */
public final class Jetty9NormalizeRequestInstrumentation implements TypeInstrumentation {

    static final String TYPE = "org.eclipse.jetty.client.HttpConnection";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("normalizeRequest")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.eclipse.jetty.client.api.Request"))
                                .or(takesArgument(0, named("org.eclipse.jetty.client.HttpRequest")))),
                "io.albtrace.instrumentation.jetty.client.Jetty9NormalizeAdvice");
    }
}

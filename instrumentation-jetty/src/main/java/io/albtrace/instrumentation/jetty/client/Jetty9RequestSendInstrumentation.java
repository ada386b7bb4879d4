package io.albtrace.instrumentation.jetty.client;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/**
 * Jetty 9.4, 10 and 11 {@code org.eclipse.jetty.client.HttpRequest#send(Response.CompleteListener)}: what
 * {@link RequestSendInstrumentation} is for Jetty 12, in the older package and API ({@code org.eclipse.jetty.client.api}).
 * The application's asynchronous {@code send(listener)}, its synchronous {@code send()} (through a
 * {@code FutureResponseListener}) and Jetty's own redirects and authentication follow-ups all hand the request over
 * here; the advice ({@code Jetty9SendAdvice}, compiled against Jetty 9.4 from {@code src/main/jetty9}) keeps the
 * caller's context in the request's conversation on the first send.
 */
public final class Jetty9RequestSendInstrumentation implements TypeInstrumentation {

    static final String TYPE = "org.eclipse.jetty.client.HttpRequest";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("send")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.eclipse.jetty.client.api.Response$CompleteListener"))),
                "io.albtrace.instrumentation.jetty.client.Jetty9SendAdvice");
    }
}

package io.albtrace.instrumentation.helidon;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ServerEntry;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Helidon 4 {@code HttpRoutingImpl#route(ConnectionContext, RoutingRequest, RoutingResponse)}: the connection of
 * every protocol (HTTP/1.1's, each request of a kept-alive connection in turn; HTTP/2's, each stream) hands each
 * request to it, on the virtual thread that then runs the request's filters and handlers; it returns when they are
 * done (the response sent, or sent by Helidon's error handling for a handler that failed).
 *
 * <p>The advice is the request's server entry (SPEC 4): the incoming header's context bound, with the MDC, for exactly
 * that call; the response header when asked for; the hop log's {@code in} line, with the status sent. One place per
 * request, outside the filters, which then all see the context.
 */
public final class RoutingInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.helidon.webserver.http.HttpRoutingImpl";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("route")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("io.helidon.webserver.ConnectionContext")))
                        .and(takesArgument(1, named("io.helidon.webserver.http.RoutingRequest")))
                        .and(takesArgument(2, named("io.helidon.webserver.http.RoutingResponse"))),
                RoutingInstrumentation.class.getName() + "$RouteAdvice");
    }

    /** Enters the request on entry; leaves it, and ends its hop log line, on exit. */
    public static final class RouteAdvice {

        private RouteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static ServerEntry enter(@Advice.This Object routing, @Advice.Argument(1) RoutingRequest request,
                @Advice.Argument(2) RoutingResponse response) {
            String incoming = request.headers().first(HeaderNames.create(TraceHeader.NAME)).orElse(null);
            ServerEntry entry = ServerEntry.enter(incoming, routing.getClass().getClassLoader(), null, true);
            if (entry != null) {
                String value = entry.responseHeader();
                if (value != null) {
                    response.header(TraceHeader.NAME, value);
                }
                if (entry.logsHop()) {
                    entry.request(request.prologue().method().text(), request.authority(),
                            request.localPeer().port(), request.prologue().uriPath().rawPath());
                }
            }
            return entry;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter ServerEntry entry, @Advice.Argument(2) RoutingResponse response) {
            if (entry != null) {
                entry.close();
                if (entry.logsHop()) {
                    entry.finish(response.isSent() ? response.status().code() : -1);
                }
            }
        }
    }
}

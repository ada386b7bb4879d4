package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * HttpClient 5 minimal async clients (5.0 to 5.6): {@code MinimalHttpAsyncClient} ({@code
 * HttpAsyncClients.createMinimal()}) and {@code MinimalH2AsyncClient} ({@code createHttp2Minimal()}). They have no
 * execution chain (no redirects, no retries), so {@link AsyncHttpClientInstrumentation} and
 * {@link AsyncMainClientExecInstrumentation} never see their calls. Every {@code execute} and {@code doExecute}
 * of theirs ends in {@code execute(AsyncClientExchangeHandler, HandlerFactory, HttpContext)}, on the caller's
 * thread, which hands that {@code HttpContext} to the connection that later sends the request on the I/O reactor.
 *
 * <p>The advice keeps a new {@link OutgoingCall}, with the caller's context, in that {@code HttpContext} (created
 * here for a null argument, as the client would); {@link AsyncStreamHandlerInstrumentation} forwards it when the
 * connection commits the request. With the hop log on, the exchange handler is wrapped ({@link HopExchangeHandler}) to
 * write the call's {@code out} line when the exchange is over. Not covered: a request sent on an endpoint the application leased itself
 * ({@code MinimalHttpAsyncClient#lease}), which does not go through {@code execute}.
 */
public final class AsyncMinimalClientInstrumentation implements TypeInstrumentation {

    /** {@link HopExchangeHandler}, by name: defined next to the class loader of httpcore5, whose types it uses. */
    static final String HOP_EXCHANGE_HANDLER = "io.albtrace.instrumentation.httpclient.HopExchangeHandler";

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient",
                "org.apache.hc.client5.http.impl.async.MinimalH2AsyncClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("execute")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.nio.AsyncClientExchangeHandler")))
                        .and(takesArgument(2, named("org.apache.hc.core5.http.protocol.HttpContext"))),
                AsyncMinimalClientInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Keeps a new call, with the caller's context, in the call's HttpContext. */
    public static final class ExecuteAdvice {

        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) AsyncClientExchangeHandler handler,
                @Advice.Argument(value = 2, readOnly = false) HttpContext context) {
            HttpContext c = context != null ? context : HttpClientContext.create();
            OutgoingCall call = OutgoingCall.capture();
            // the hop log's line (null when it is off): the first send gives the request, the value forwarded is its
            // trace, and the exchange handler, wrapped, finishes it when the exchange is over
            OutgoingHop hop = handler == null ? null : OutgoingHop.of(call.context(), null, null);
            if (hop != null) {
                @SuppressWarnings("unchecked")
                BiFunction<OutgoingHop, AsyncClientExchangeHandler, AsyncClientExchangeHandler> wrap =
                        (BiFunction<OutgoingHop, AsyncClientExchangeHandler, AsyncClientExchangeHandler>)
                                LibraryHelpers.instance(AsyncClientExchangeHandler.class, HOP_EXCHANGE_HANDLER);
                if (wrap != null) {
                    handler = wrap.apply(hop, handler);
                    call.hop(hop);
                }
            }
            c.setAttribute(OutgoingCall.ATTRIBUTE, call);
            context = c;
        }
    }
}

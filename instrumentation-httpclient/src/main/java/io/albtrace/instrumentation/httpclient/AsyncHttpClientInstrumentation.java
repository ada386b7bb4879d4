package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * HttpClient 5 async (5.0 to 5.6): {@code InternalAbstractHttpAsyncClient#doExecute(HttpHost, AsyncRequestProducer,
 * AsyncResponseConsumer, HandlerFactory, HttpContext, FutureCallback)}, which every {@code execute} of the clients
 * {@code HttpAsyncClients.createDefault()}, {@code custom()}, {@code createHttp2Default()},
 * {@code customHttp2()} and {@code H2AsyncClientBuilder} make ({@code InternalHttpAsyncClient},
 * {@code InternalH2AsyncClient}) ends in, on the caller's thread: {@code SimpleHttpRequest}s and any request
 * producer alike.
 *
 * <p>The request is sent later, on an I/O reactor thread, and redirects and retries are made there too. So the
 * advice captures the caller's context in an {@link OutgoingCall} and keeps it in the call's {@code HttpContext},
 * which the client hands to every send of this call (a context the client would have created itself, for a
 * null argument, is created here instead, the same way). {@link AsyncMainClientExecInstrumentation} forwards it.
 * With the hop log on, the call's {@code FutureCallback} is wrapped ({@link HopCallbacks}) to write the call's
 * {@code out} line when it completes. An application that shares one {@code HttpContext} between concurrent calls shares the call too (the client
 * does not support that sharing either).
 */
public final class AsyncHttpClientInstrumentation implements TypeInstrumentation {

    /** {@link HopCallbacks}, by name: defined next to the class loader of httpcore5, whose types it uses. */
    static final String HOP_CALLBACKS = "io.albtrace.instrumentation.httpclient.HopCallbacks";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("doExecute")
                        .and(takesArguments(6))
                        .and(takesArgument(1, named("org.apache.hc.core5.http.nio.AsyncRequestProducer")))
                        .and(takesArgument(4, named("org.apache.hc.core5.http.protocol.HttpContext"))),
                AsyncHttpClientInstrumentation.class.getName() + "$DoExecuteAdvice");
    }

    /** Keeps a new call, with the caller's context, in the call's HttpContext. */
    public static final class DoExecuteAdvice {

        private DoExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 4, readOnly = false) HttpContext context,
                @Advice.Argument(value = 5, readOnly = false) FutureCallback<?> callback) {
            HttpContext c = context != null ? context : HttpClientContext.create();
            OutgoingCall call = OutgoingCall.capture();
            // the hop log's line (null when it is off): the first send gives the request, the value forwarded is its
            // trace, and the call's callback, wrapped, finishes it with the final response's status
            OutgoingHop hop = OutgoingHop.of(call.context(), null, null);
            if (hop != null) {
                @SuppressWarnings("unchecked")
                BiFunction<OutgoingHop, FutureCallback<?>, FutureCallback<?>> wrap =
                        (BiFunction<OutgoingHop, FutureCallback<?>, FutureCallback<?>>) LibraryHelpers.instance(
                                FutureCallback.class, HOP_CALLBACKS);
                if (wrap != null) {
                    callback = wrap.apply(hop, callback);
                    hop.attach(c);
                    call.hop(hop);
                }
            }
            c.setAttribute(OutgoingCall.ATTRIBUTE, call);
            context = c;
        }
    }
}

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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import net.bytebuddy.asm.Advice;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.nio.protocol.HttpAsyncRequestProducer;
import org.apache.http.protocol.BasicHttpContext;
import org.apache.http.protocol.HttpContext;

/**
 * HttpAsyncClient 4.1: {@code execute(HttpAsyncRequestProducer, HttpAsyncResponseConsumer, HttpContext,
 * FutureCallback)} of {@code InternalHttpAsyncClient} ({@code HttpAsyncClients.createDefault()}, {@code custom()},
 * {@code createSystem()}, {@code HttpAsyncClientBuilder}: what Elasticsearch's {@code RestClient} builds) and of
 * {@code MinimalHttpAsyncClient} ({@code createMinimal()}, {@code createPipelining()}). Every other
 * {@code execute} overload ({@code HttpUriRequest}, {@code HttpHost} and {@code HttpRequest}, with or without a
 * context) ends there, on the caller's thread; the request is sent later on an I/O reactor thread.
 *
 * <p>The advice captures the caller's context in an {@link OutgoingCall} and keeps it in the call's
 * {@code HttpContext} (made here when the application gave none, as the client would have), which the client hands
 * to every send of the call ({@link AsyncClient4ExchangeInstrumentation}). With the hop log on, the call's
 * {@code FutureCallback} is wrapped ({@link HopCallbacks4}) to write its {@code out} line with the final status.
 *
 * <p>The pipelined {@code execute(HttpHost, List, List, HttpContext, FutureCallback)} sends several requests in one
 * call: one captured call per request, in order, each with its own {@code Self}; they write no hop log line.
 */
public final class AsyncClient4Instrumentation implements TypeInstrumentation {

    /** {@link HopCallbacks4}, by name: defined next to the class loader of httpcore, whose types it uses. */
    static final String HOP_CALLBACKS = "io.albtrace.instrumentation.httpclient.HopCallbacks4";
    /** The request's target ({@code HttpHost}), kept for the hop log line when the producer knows it. */
    public static final String TARGET = "io.albtrace.core.OutgoingCall.target";
    /** The calls of a pipelined {@code execute}, one per request, in order (a {@code Queue}). */
    public static final String PIPELINE = "io.albtrace.core.OutgoingCall.pipeline";

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.http.impl.nio.client.InternalHttpAsyncClient",
                "org.apache.http.impl.nio.client.MinimalHttpAsyncClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("execute")
                        .and(takesArguments(4))
                        .and(takesArgument(0, named("org.apache.http.nio.protocol.HttpAsyncRequestProducer")))
                        .and(takesArgument(2, named("org.apache.http.protocol.HttpContext")))
                        .and(takesArgument(3, named("org.apache.http.concurrent.FutureCallback"))),
                AsyncClient4Instrumentation.class.getName() + "$ExecuteAdvice");
        target.applyAdvice(named("execute")
                        .and(takesArguments(5))
                        .and(takesArgument(0, named("org.apache.http.HttpHost")))
                        .and(takesArgument(1, named("java.util.List")))
                        .and(takesArgument(3, named("org.apache.http.protocol.HttpContext"))),
                AsyncClient4Instrumentation.class.getName() + "$PipelineAdvice");
    }

    /** Keeps a new call, with the caller's context, in the call's HttpContext. */
    public static final class ExecuteAdvice {

        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpAsyncRequestProducer producer,
                @Advice.Argument(value = 2, readOnly = false) HttpContext context,
                @Advice.Argument(value = 3, readOnly = false) FutureCallback<?> callback) {
            HttpContext c = context != null ? context : new BasicHttpContext();
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
                    if (producer != null) {
                        c.setAttribute(TARGET, producer.getTarget());
                    }
                }
            }
            c.removeAttribute(PIPELINE); // a context used for a pipeline before
            c.setAttribute(OutgoingCall.ATTRIBUTE, call);
            context = c;
        }
    }

    /** Keeps one new call per request of a pipeline, each with the caller's context, in the call's HttpContext. */
    public static final class PipelineAdvice {

        private PipelineAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(1) List<?> producers,
                @Advice.Argument(value = 3, readOnly = false) HttpContext context) {
            HttpContext c = context != null ? context : new BasicHttpContext();
            ConcurrentLinkedQueue<OutgoingCall> calls = new ConcurrentLinkedQueue<>();
            for (int i = producers == null ? 0 : producers.size(); i > 0; i--) {
                calls.add(OutgoingCall.capture());
            }
            c.removeAttribute(OutgoingCall.ATTRIBUTE); // a context used for a single call before
            c.setAttribute(PIPELINE, calls);
            context = c;
        }
    }
}

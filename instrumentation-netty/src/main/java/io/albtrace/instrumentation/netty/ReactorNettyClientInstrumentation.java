package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Reactor Netty's {@code HttpClient} (1.2, 1.3): a request's {@code HttpClientHandler} is made where the response's
 * {@code Mono} is subscribed ({@code HttpClientConnect.MonoHttpConnect.subscribe}), on the application's thread; the
 * request is written much later, on the event loop, once a pooled connection is acquired or a new one connected,
 * which completes in Netty's and the pool's own callbacks: neither Reactor's operators nor Netty's task and listener
 * capture can tell which request they serve. So the handler keeps the context of the subscribing thread, or that it
 * had none ({@link CapturedContexts#keep}), and every state change of the request's connection observers
 * ({@code HttpIOHandlerObserver.onStateChange}, which writes the request when the connection is configured, and
 * {@code HttpObserver.onStateChange}, its response and redirects) runs with
 * exactly that bound ({@link CapturedContexts#bindKept}), whatever the loop had bound, and the request's one
 * {@code OutgoingCall} current. The header itself is written by Netty's codecs ({@link HttpObjectEncoderInstrumentation},
 * {@link Http2ConnectionEncoderInstrumentation}): the call's value, made at its first send, so that a redirect or a
 * retry, which Reactor Netty sends for the same handler, carries that same value (SPEC 3).
 */
public final class ReactorNettyClientInstrumentation implements TypeInstrumentation {

    static final String HANDLER = "reactor.netty.http.client.HttpClientConnect$HttpClientHandler";
    static final String OBSERVER = "reactor.netty.http.client.HttpClientConnect$HttpObserver";
    /** The observer that writes the request ({@code requestWithBody}), on the connection being configured. */
    static final String IO_OBSERVER = "reactor.netty.http.client.HttpClientConnect$HttpIOHandlerObserver";

    @Override
    public List<String> typeNames() {
        return Arrays.asList(HANDLER, OBSERVER, IO_OBSERVER);
    }

    @Override
    public void transform(AdviceTarget target) {
        if (target.declares(named("requestWithBody").and(takesArguments(1)))) {
            target.applyAdvice(isConstructor(), ReactorNettyClientInstrumentation.class.getName() + "$KeepAdvice");
            target.applyAdvice(named("test").and(takesArguments(1)).and(takesArgument(0, Throwable.class)),
                    ReactorNettyClientInstrumentation.class.getName() + "$FailedAdvice");
        }
        if (target.declares(named("onStateChange").and(takesArguments(2)))) {
            target.applyAdvice(named("onStateChange").and(takesArguments(2)),
                    ReactorNettyClientInstrumentation.class.getName() + "$BindAdvice");
        }
    }

    /** The handler keeps the subscribing thread's context. */
    public static final class KeepAdvice {

        private KeepAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object handler) {
            CapturedContexts.keep(handler);
        }
    }

    /**
     * {@code HttpClientHandler.test(Throwable)}, the filter of the request's {@code retryWhen}: every failure of the
     * call passes it (a redirect, a connection reset, a refused connection); {@code false} is the call's end with that
     * failure. Its hop log line ends without a status (a call whose final response came has ended already); a call
     * that never sent (its connection failed) gets its line here, without the header, which Netty's codec decides as
     * the request is written.
     */
    public static final class FailedAdvice {

        private FailedAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object handler, @Advice.Return boolean retried,
                @Advice.FieldValue("method") Object method, @Advice.FieldValue("toURI") Object uri) {
            if (retried) {
                return;
            }
            Object binding = CapturedContexts.bindKept(handler);
            if (binding == null) {
                return;
            }
            try {
                OutgoingCall call = OutgoingCall.current();
                if (call == null) {
                    return;
                }
                OutgoingHop hop = call.hop();
                if (hop == null) {
                    hop = OutgoingHop.of(call.context(), String.valueOf(method), String.valueOf(uri));
                    if (hop == null) {
                        return;
                    }
                    call.hop(hop);
                }
                hop.finish(-1); // a status kept by now was a redirect's (or a challenge's), not the call's outcome
            } finally {
                CapturedContexts.end(binding);
            }
        }
    }

    /** The request's connection observer runs with it; its final response ends its hop log line. */
    public static final class BindAdvice {

        private BindAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.FieldValue("handler") Object handler, @Advice.Argument(1) Object state) {
            Object binding = CapturedContexts.bindKept(handler);
            if (binding != null && state instanceof Enum && "RESPONSE_RECEIVED".equals(((Enum<?>) state).name())) {
                // the call's final response (a redirect's never gets here): its hop log line ends, with its status
                OutgoingCall call = OutgoingCall.current();
                OutgoingHop hop = call == null ? null : call.hop();
                if (hop != null) {
                    Object status = hop.attachment();
                    hop.finish(status instanceof Integer ? (Integer) status : -1);
                }
            }
            return binding;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object binding) {
            CapturedContexts.end(binding);
        }
    }
}

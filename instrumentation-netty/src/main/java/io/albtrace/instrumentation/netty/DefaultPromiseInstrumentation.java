package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code DefaultPromise}: the listeners of Netty's futures (a connect's, a write's, a channel's close), the usual
 * continuation of Netty code ({@code bootstrap.connect(...).addListener(f -> f.channel().writeAndFlush(request))}).
 * They run on the event loop when the future completes, for whatever request the loop serves then; here they run
 * with the context bound where they were added ({@code addListener0}, behind every {@code addListener(s)}), and
 * nothing more: a promise whose listeners were added in different contexts, or some in none, binds none
 * ({@link CapturedContexts#captureListener}). Bound around {@code notifyListenersNow}, where every listener of the
 * promise runs, then restored.
 */
public final class DefaultPromiseInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.util.concurrent.DefaultPromise";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("addListener0").and(takesArguments(1)),
                DefaultPromiseInstrumentation.class.getName() + "$AddListenerAdvice");
        target.applyAdvice(named("notifyListenersNow").and(takesArguments(0)),
                DefaultPromiseInstrumentation.class.getName() + "$NotifyAdvice");
    }

    /** Captures the context for the promise's listeners. */
    public static final class AddListenerAdvice {

        private AddListenerAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object promise) {
            CapturedContexts.captureListener(promise);
        }
    }

    /** Binds it while they run. */
    public static final class NotifyAdvice {

        private NotifyAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.This Object promise) {
            return CapturedContexts.beginListeners(promise);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object binding) {
            CapturedContexts.end(binding);
        }
    }
}

package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.namedOneOf;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code SingleThreadEventExecutor.execute(Runnable)} and {@code lazyExecute(Runnable)}: every task handed to a Netty
 * event loop (a write from a thread that is not the loop's, a handler's own task, a listener Netty runs later). Where
 * a context is bound, the task carries it and runs with it bound (and the MDC), then what the loop had is restored:
 * a request's continuation on the loop sees its own request's context, and a write made by application code on
 * another thread is encoded with that code's context, not with whatever the loop ran last. Where nothing is bound,
 * the task is left as it is (no allocation). The loop's thread itself never inherits a context (core's
 * {@code CapturedContexts} leaves Netty's {@code FastThreadLocalThread} alone).
 */
public final class EventExecutorInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.util.concurrent.SingleThreadEventExecutor";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(namedOneOf("execute", "lazyExecute").and(takesArguments(1))
                        .and(takesArgument(0, Runnable.class)),
                EventExecutorInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Wraps the task in the context bound here, if any. */
    public static final class ExecuteAdvice {

        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = (Runnable) ContextTask.wrapAny(task);
        }
    }
}

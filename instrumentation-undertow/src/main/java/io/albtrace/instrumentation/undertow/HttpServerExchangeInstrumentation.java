package io.albtrace.instrumentation.undertow;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.ContextTask;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.Scope;
import io.albtrace.core.ServerEntry;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import net.bytebuddy.asm.Advice;

/**
 * {@code HttpServerExchange#dispatch(Executor, Runnable)}, which the other {@code dispatch} methods call: the task a
 * handler hands to a worker (or to its own executor) for its request runs with that request's context, kept in the
 * exchange by its first entry ({@link ConnectorsInstrumentation}), and only for the task's run
 * ({@link ContextTask}): the worker keeps nothing afterwards. A dispatch of a handler ({@code dispatch(HttpHandler)})
 * goes through {@code Connectors.executeRootHandler}, which binds it as well (nested: the same context). An exchange
 * that was never entered (the undertow instrumentation off, or nested in another entry) is left alone.
 */
public final class HttpServerExchangeInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.undertow.server.HttpServerExchange";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("dispatch").and(takesArguments(2))
                        .and(takesArgument(0, Executor.class)).and(takesArgument(1, Runnable.class)),
                HttpServerExchangeInstrumentation.class.getName() + "$DispatchAdvice");
    }

    /** Wraps the dispatched task with the exchange's context. */
    public static final class DispatchAdvice {

        private DispatchAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public static void enter(@Advice.This HttpServerExchange exchange,
                @Advice.Argument(value = 1, readOnly = false) Runnable task) {
            if (task == null) {
                return;
            }
            Object helper = LibraryHelpers.instance(HttpServerExchange.class,
                    ConnectorsInstrumentation.EXCHANGES);
            if (helper == null) {
                return;
            }
            Object first = exchange.getAttachment((AttachmentKey) ((Supplier<Object>) helper).get());
            if (first == null) {
                return;
            }
            // the exchange's own context, whatever this thread has (the dispatch may come from another thread)
            Scope scope = Context.bind(((ServerEntry) first).context());
            try {
                task = (Runnable) ContextTask.wrapAny(task);
            } finally {
                scope.close();
            }
        }
    }
}

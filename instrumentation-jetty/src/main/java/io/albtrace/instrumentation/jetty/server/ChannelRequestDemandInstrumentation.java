package io.albtrace.instrumentation.jetty.server;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.AsyncContexts;
import io.albtrace.core.Context;
import io.albtrace.core.ContextTask;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * {@code HttpChannelState$ChannelRequest#demand(Runnable)}, where every {@code Request.demand} of a Jetty 12 request
 * ends (through the handlers' request wrappers): the callback Jetty runs once the request's content can be read, later
 * and on one of its own threads, runs with the request's context (kept in its attributes by
 * {@link ServerHandleInstrumentation}), and only for its run ({@link ContextTask}). So does the reading a handler does
 * with {@code Content.Source} helpers (they demand). A callback that declares itself non-blocking
 * ({@code Invocable}, Jetty's own) is left as it is: wrapping it would hide that from Jetty, which would then run it
 * on another thread; a blocking one (any plain {@code Runnable}, and the {@code ContextHandler}'s wrapper of one) is
 * what Jetty takes an unwrapped {@code Runnable} for anyway.
 */
public final class ChannelRequestDemandInstrumentation implements TypeInstrumentation {

    static final String TYPE = "org.eclipse.jetty.server.internal.HttpChannelState$ChannelRequest";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("demand").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                ChannelRequestDemandInstrumentation.class.getName() + "$DemandAdvice");
    }

    /** Wraps the demand callback with the request's context. */
    public static final class DemandAdvice {

        private DemandAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Request request,
                @Advice.Argument(value = 0, readOnly = false) Runnable callback) {
            if (callback == null
                    || Invocable.getInvocationType(callback) != Invocable.InvocationType.BLOCKING) {
                return; // a non-blocking callback (Jetty's own) keeps what it declares
            }
            Object context = request.getAttribute(AsyncContexts.ATTRIBUTE);
            if (!(context instanceof String)) {
                return;
            }
            // the request's own context, whatever this thread has
            Scope scope = Context.bind((String) context);
            try {
                callback = (Runnable) ContextTask.wrapAny(callback);
            } finally {
                scope.close();
            }
        }
    }
}

package io.albtrace.instrumentation.servlet;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.AsyncContexts;
import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code AsyncContext#start(Runnable)} of Tomcat ({@code org.apache.catalina.core.AsyncContextImpl}), Jetty 9.4 to
 * 11 ({@code org.eclipse.jetty.server.AsyncContextState}) and Jetty 12 (ee10:
 * {@code org.eclipse.jetty.ee10.servlet.AsyncContextState}; ee8 and ee9:
 * {@code org.eclipse.jetty.ee8.nested.AsyncContextState} and its ee9 twin): the task runs on a container thread with
 * the context of the thread that started it ({@link ContextTask#wrapAny}), which is the request's when a servlet calls
 * it; the container thread has it for exactly the task's run. A task started from a thread with no context (the
 * application's own) runs with the context its request kept at its first entry ({@link ContextTask#wrapForAsyncStart}).
 */
public final class AsyncContextStartInstrumentation implements TypeInstrumentation {

    static final String TOMCAT = "org.apache.catalina.core.AsyncContextImpl";
    static final String JETTY_9_TO_11 = "org.eclipse.jetty.server.AsyncContextState";
    static final String JETTY_12_EE10 = "org.eclipse.jetty.ee10.servlet.AsyncContextState";
    static final String JETTY_12_EE9 = "org.eclipse.jetty.ee9.nested.AsyncContextState";
    static final String JETTY_12_EE8 = "org.eclipse.jetty.ee8.nested.AsyncContextState";

    @Override
    public List<String> typeNames() {
        return Arrays.asList(TOMCAT, JETTY_9_TO_11, JETTY_12_EE10, JETTY_12_EE9, JETTY_12_EE8);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("start").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                AsyncContextStartInstrumentation.class.getName() + "$StartAdvice");
        target.applyAdvice(named("complete").and(takesArguments(0)),
                AsyncContextStartInstrumentation.class.getName() + "$CompleteAdvice");
    }

    /**
     * The request is complete: the threads its handler started, which kept its context while it was asynchronous,
     * lose it (SPEC 5.5).
     */
    public static final class CompleteAdvice {

        private CompleteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object asyncContext) {
            AsyncContexts.completed(asyncContext);
        }
    }

    /** Hands the container the task wrapped. */
    public static final class StartAdvice {

        private StartAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object asyncContext,
                @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            // the container alone runs it: even a Future the application keeps is safe to wrap here
            task = (Runnable) ContextTask.wrapForAsyncStart(task, asyncContext);
        }
    }
}

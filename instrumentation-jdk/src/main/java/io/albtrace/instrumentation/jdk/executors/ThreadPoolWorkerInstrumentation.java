package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * {@code ThreadPoolExecutor$Worker.run()}: a worker's whole life. A first task that {@code execute} queued as a
 * {@code ContextTask} (see {@link ThreadPoolExecutorInstrumentation}) is unwrapped before the worker reads it, and
 * its context bound until the worker asks for its next task; whatever binding is left when the worker ends (its
 * task threw) is removed.
 */
public final class ThreadPoolWorkerInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.ThreadPoolExecutor$Worker");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("run").and(takesArguments(0)),
                ThreadPoolWorkerInstrumentation.class.getName() + "$RunAdvice");
    }

    /** Unwraps and binds the first task; ends any binding when the worker ends. */
    public static final class RunAdvice {
        private RunAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue(value = "firstTask", readOnly = false,
                typing = Assigner.Typing.DYNAMIC) Object firstTask) {
            firstTask = ContextTask.beginWorkerTask(firstTask);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit() {
            ContextTask.endWorkerTask();
        }
    }
}

package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * {@code java.lang.ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)} (Java 21+): every virtual
 * thread is made there, from {@code Thread.ofVirtual()}, {@code Thread.startVirtualThread} or
 * {@code Executors.newVirtualThreadPerTaskExecutor()} (whose {@code submit} makes the thread's task a
 * {@code Future}); its task runs with the context that was current where the thread was created. A virtual thread
 * is never pooled, and nothing but the thread sees its task.
 *
 * <p>Not {@code java.lang.VirtualThread}'s constructor: Java 25 loads that class before premain, so changing it
 * would mean weaving in premain of every JVM; {@code ThreadBuilders} is loaded when the first virtual thread is
 * made.
 */
public final class ThreadBuildersInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.lang.ThreadBuilders");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isStatic().and(named("newVirtualThread")).and(takesArguments(4))
                        .and(takesArgument(3, Runnable.class)),
                ThreadBuildersInstrumentation.class.getName() + "$NewVirtualThreadAdvice");
    }

    /** Captures the creating thread's context into the thread's task. */
    public static final class NewVirtualThreadAdvice {
        private NewVirtualThreadAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 3, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = ContextTask.wrapAny(task);
        }
    }
}

package io.albtrace.instrumentation.jdk;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.albtrace.core.ContextTask;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * {@code java.lang.VirtualThread(Executor, String, int, Runnable)} (Java 21+; on 25 the class is loaded before
 * premain and changed by retransformation): every virtual thread, from {@code Thread.ofVirtual()},
 * {@code Thread.startVirtualThread} or {@code Executors.newVirtualThreadPerTaskExecutor()} (whose
 * {@code submit} makes the thread's task a {@code Future}), runs its task with the context that was current where
 * the thread was created. A virtual thread is never pooled, and nothing but the thread sees its task.
 */
public final class VirtualThreadInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.lang.VirtualThread");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor().and(takesArguments(4)).and(takesArgument(3, Runnable.class)),
                VirtualThreadInstrumentation.class.getName() + "$ConstructorAdvice");
    }

    /** Captures the creating thread's context into the thread's task. */
    public static final class ConstructorAdvice {
        private ConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 3, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = ContextTask.wrapAny(task);
        }
    }
}

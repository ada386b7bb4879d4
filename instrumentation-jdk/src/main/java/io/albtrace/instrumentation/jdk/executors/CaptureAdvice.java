package io.albtrace.instrumentation.jdk.executors;

import io.albtrace.core.ContextTask;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice that puts a {@link ContextTask} in place of the application's task or function, given as an argument to
 * a JDK method or constructor that keeps it out of the application's sight: the context current where the task is
 * handed over is captured (nothing where none is bound), and bound while it runs. One class per argument position.
 */
final class CaptureAdvice {

    private CaptureAdvice() {
    }

    /** The first argument. */
    public static final class First {
        private First() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = ContextTask.wrap(task);
        }
    }

    /**
     * The second argument (a {@code CompletableFuture} stage's function after its executor: null for a synchronous
     * stage, whose function is captured only when it is the application's).
     */
    public static final class Second {
        private Second() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object executor,
                @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = executor != null ? ContextTask.wrap(task) : ContextTask.wrapApplication(task);
        }
    }

    /** The third argument (a two-stage {@code CompletableFuture} function after its executor and other stage). */
    public static final class Third {
        private Third() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object executor,
                @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
            task = executor != null ? ContextTask.wrap(task) : ContextTask.wrapApplication(task);
        }
    }
}

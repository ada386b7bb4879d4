package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.not;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.CapturedContexts;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.lang.Thread}: a platform thread started from a thread that serves a request ({@code new Thread(r)
 * .start()}, a subclass whose {@code run()} calls {@code super.run()}, {@code Thread.ofPlatform().start(r)}, a
 * thread-per-task executor of platform threads) runs with the request's context. {@code start()} (and Java 21's
 * {@code start(ThreadContainer)}) captures it into a weak side table ({@link CapturedContexts}: {@code Thread} is
 * loaded before premain, so it is changed by retransformation, which adds no field), and {@code Thread.run()}, on
 * the new thread, takes it out and binds it until {@code run()} returns.
 *
 * <p>Not captured: threads a thread pool creates for itself while serving a request, which would keep the request's
 * context for life (a {@code ThreadPoolExecutor}'s workers, see {@link ThreadPoolExecutorInstrumentation}'s
 * {@code addWorker}; every {@code ForkJoinWorkerThread}); any subclass of {@code Thread} the JDK itself defines
 * ({@code InnocuousThread}, a {@code Timer}'s thread, the HTTP client's selector manager, virtual threads, which
 * {@link ThreadBuildersInstrumentation} covers). A subclass whose {@code run()} does not call {@code super.run()}
 * runs without the context (its entry goes when the thread ends: {@code Thread.exit()}, which the JVM calls). Other libraries' pools that start their
 * threads from a request thread (rare: most start them at start-up) would give those threads the context for life.
 */
public final class ThreadInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.lang.Thread");
    }

    @Override
    public void transform(AdviceTarget target) {
        // Loads and initialises the side table here, on the thread that weaves, rather than inside the first
        // Thread.start() that runs the advice (which holds the thread's monitor on Java 17).
        CapturedContexts.threadEntries();
        String name = ThreadInstrumentation.class.getName();
        target.applyAdvice(named("start").and(not(isStatic())), name + "$StartAdvice");
        target.applyAdvice(named("run").and(takesArguments(0)).and(not(isStatic())), name + "$RunAdvice");
        target.applyAdvice(named("exit").and(takesArguments(0)).and(not(isStatic())), name + "$ExitAdvice");
    }

    /** Captures the starting thread's context for the new thread. */
    public static final class StartAdvice {
        private StartAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Thread thread) {
            CapturedContexts.captureThread(thread);
        }
    }

    /** On the new thread: binds what its start captured, until it returns. */
    public static final class RunAdvice {
        private RunAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.This Thread thread) {
            return CapturedContexts.beginThread(thread);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object binding) {
            CapturedContexts.end(binding);
        }
    }

    /** The thread ends: drops a capture its {@code run()} never took. */
    public static final class ExitAdvice {
        private ExitAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Thread thread) {
            CapturedContexts.threadExited(thread);
        }
    }
}

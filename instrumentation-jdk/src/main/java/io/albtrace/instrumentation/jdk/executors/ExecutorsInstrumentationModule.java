package io.albtrace.instrumentation.jdk.executors;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The request's context across threads (SPEC 5: an outgoing call forwards the context that was current where its
 * work was handed over): the JDK's {@code ThreadPoolExecutor} and {@code ScheduledThreadPoolExecutor}
 * ({@code FutureTask}), {@code ForkJoinPool}'s task adapters, {@code CompletableFuture}'s asynchronous stages and
 * virtual threads (Java 21+), platform threads started from a request ({@link ThreadInstrumentation}) and the
 * application's own fork/join tasks, parallel streams' included ({@link ForkJoinTaskInstrumentation}). Every change
 * is advice on methods and constructors that exist, never a new field or method, so a class already loaded (at
 * attach) is changed by retransformation exactly as on its first load. {@code java.lang.Thread} (and, on Java 25,
 * {@code ForkJoinTask}) is loaded before premain: the installer retransforms those from its warm-up thread, in the
 * background, not in premain ({@link #warmUpWithJdkTargets()}), so premain weaves nothing and loads no weaver.
 * {@code albtrace.instrumentation.executors.enabled}.
 */
public final class ExecutorsInstrumentationModule extends InstrumentationModule {

    public ExecutorsInstrumentationModule() {
        super("executors");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new FutureTaskInstrumentation(), new ForkJoinTaskAdaptersInstrumentation(),
                new ThreadPoolExecutorInstrumentation(), new ThreadPoolWorkerInstrumentation(),
                new CompletableFutureInstrumentation(), new ThreadBuildersInstrumentation(),
                new ThreadInstrumentation(), new ForkJoinTaskInstrumentation(), new ForkJoinPoolInstrumentation());
    }

    /**
     * Nearly every application makes a thread pool or a {@code CompletableFuture} early: weaving these classes
     * then (the weaver's first, cold use) would hold up its start-up on its own thread, so the installer's warm-up does it in the background in any JVM with a class path; and the classes of this module
     * already loaded at start-up ({@code java.lang.Thread}) are retransformed by the warm-up too, after it.
     */
    @Override
    public boolean warmUpWithJdkTargets() {
        return true;
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        if (!hasApplicationPath()) {
            // A JDK tool (jcmd, keytool: no class path, no module path) serves no request, so it has no context to
            // carry; but some use a thread pool (jcmd VM.version does), whose weave would load the weaver there.
            return Collections.emptyList();
        }
        return Arrays.asList(
                "java.util.concurrent.FutureTask",
                "java.util.concurrent.ForkJoinTask$AdaptedRunnable",
                "java.util.concurrent.ForkJoinTask$AdaptedRunnableAction",
                "java.util.concurrent.ForkJoinTask$RunnableExecuteAction",
                "java.util.concurrent.ForkJoinTask$AdaptedCallable",
                "java.util.concurrent.ForkJoinTask$AdaptedInterruptibleCallable",
                "java.util.concurrent.ForkJoinTask$AdaptedInterruptibleRunnable",
                "java.util.concurrent.ThreadPoolExecutor",
                "java.util.concurrent.ThreadPoolExecutor$Worker",
                "java.util.concurrent.CompletableFuture",
                "java.lang.ThreadBuilders",
                "java.lang.Thread",
                "java.util.concurrent.ForkJoinTask",
                "java.util.concurrent.ForkJoinPool");
    }
}

package io.albtrace.benchmarks;

import io.albtrace.core.Context;
import io.albtrace.core.ContextTask;
import io.albtrace.core.Scope;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost the executors instrumentation adds to handing a task to another thread: each benchmark submits one
 * task, with a context bound ({@code Bound}) or none ({@code Unbound}), then runs what was queued on the
 * benchmark's thread with no context bound, as a pool's worker would. What the agent adds is the capture at
 * submission and the binding (and its removal) around the run; the hand-over between threads itself is left out
 * (it costs microseconds and would hide nanoseconds). The {@code Agent} benchmarks fork with
 * {@code -javaagent:agent/target/albtrace-agent.jar} and every other instrumentation switched off; the
 * {@code NoAgent} ones without it; alphabetical order puts each pair side by side in one run.
 * <ul>
 * <li>{@code execute}: {@code ThreadPoolExecutor.execute(Runnable)} into the queue of a pool whose one worker is
 *     parked, then the queued element taken and run (with the agent, the worker's unwrap-and-bind step);</li>
 * <li>{@code submit}: {@code ExecutorService.submit(Callable)} (a {@code FutureTask}) on an executor that keeps the
 *     task, then its {@code run()};</li>
 * <li>{@code supplyAsync}: {@code CompletableFuture.supplyAsync(supplier, executor)}, then the stage's run;</li>
 * <li>{@code threadStart}: {@code new Thread(runnable).start()} and {@code join()}: the whole start of a platform
 *     thread (tens of microseconds), in which the agent's capture at {@code start()} and bind in {@code run()}
 *     are a small part;</li>
 * <li>{@code fork}: an application's {@code RecursiveAction} forked into the common pool, then joined (a worker,
 *     or the joining thread, runs it): the capture at {@code fork()} and the bind in {@code doExec()}, with the
 *     hand-over itself, which is left in here.</li>
 * </ul>
 * Each trial first checks that the capture happens exactly when the agent is attached. Run from the repository
 * root: {@code java -jar benchmarks/target/benchmarks.jar Executors -prof gc}.
 */
@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExecutorsBenchmark {

    /** The agent with only the executors instrumentation on (settings as agent arguments). */
    static final String AGENT = "-javaagent:agent/target/albtrace-agent.jar="
            + "albtrace.instrumentation.okhttp.enabled=false,albtrace.instrumentation.apache-httpclient.enabled=false,"
            + "albtrace.instrumentation.jdk-httpclient.enabled=false,"
            + "albtrace.instrumentation.http-url-connection.enabled=false,"
            + "albtrace.instrumentation.jdk-httpserver.enabled=false,albtrace.instrumentation.servlet.enabled=false";
    static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";

    private ThreadPoolExecutor pool;
    private BlockingQueue<Runnable> queue;
    private CountDownLatch park;
    private final Keeper keeper = new Keeper();
    private final Runnable runnable = () -> { };
    private final Callable<Integer> callable = () -> 1;
    private final java.util.function.Supplier<Integer> supplier = () -> 1;

    /** An executor that keeps the last task it is given, to be run by the benchmark. */
    static final class Keeper extends AbstractExecutorService {
        Runnable last;

        @Override
        public void execute(Runnable command) {
            last = command;
        }

        Runnable take() {
            Runnable r = last;
            last = null;
            return r;
        }

        @Override
        public void shutdown() {
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            return java.util.Collections.emptyList();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        queue = new LinkedBlockingQueue<>();
        pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, queue);
        park = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(1);
        pool.execute(() -> {
            parked.countDown();
            try {
                park.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        parked.await();
        boolean attached = Context.class.getClassLoader() == null; // the agent defines core in the bootstrap loader
        Object queued;
        try (Scope s = Context.bind(CONTEXT)) {
            pool.execute(runnable);
            queued = queue.poll();
        }
        String[] seen = new String[1];
        try (Scope s = Context.bind(CONTEXT)) {
            keeper.submit(() -> {
                seen[0] = Context.current();
                return 1;
            });
        }
        keeper.take().run();
        boolean captured = queued instanceof ContextTask && CONTEXT.equals(seen[0]);
        if (attached != captured) {
            throw new IllegalStateException("agent attached: " + attached + ", but the queue held " + queued
                    + " and the submitted task saw [" + seen[0] + "]");
        }
        System.out.println("agent attached: " + attached + "; a bound execute queued a "
                + queued.getClass().getSimpleName() + ", a bound submit ran with [" + seen[0] + "]");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        park.countDown();
        pool.shutdownNow();
    }

    private Object execute() {
        pool.execute(runnable);
        Runnable queued = queue.poll();
        queued.run();
        return queued;
    }

    private Object executeBound() {
        try (Scope s = Context.bind(CONTEXT)) {
            pool.execute(runnable);
        }
        Runnable queued = queue.poll();
        queued.run();
        return queued;
    }

    private Object submit() {
        Object f = keeper.submit(callable);
        keeper.take().run();
        return f;
    }

    private Object submitBound() {
        Object f;
        try (Scope s = Context.bind(CONTEXT)) {
            f = keeper.submit(callable);
        }
        keeper.take().run();
        return f;
    }

    private Object threadStart() throws InterruptedException {
        Thread t = new Thread(runnable);
        t.start();
        t.join();
        return t;
    }

    private Object threadStartBound() throws InterruptedException {
        Thread t = new Thread(runnable);
        try (Scope s = Context.bind(CONTEXT)) {
            t.start();
        }
        t.join();
        return t;
    }

    /** An application's fork/join task that does nothing. */
    static final class Nothing extends RecursiveAction {
        @Override
        protected void compute() {
        }
    }

    private Object fork() {
        Nothing task = new Nothing();
        task.fork();
        task.join();
        return task;
    }

    private Object forkBound() {
        Nothing task = new Nothing();
        try (Scope s = Context.bind(CONTEXT)) {
            task.fork();
        }
        task.join();
        return task;
    }

    private Object supplyAsync() {
        Object f = CompletableFuture.supplyAsync(supplier, (Executor) keeper);
        keeper.take().run();
        return f;
    }

    private Object supplyAsyncBound() {
        Object f;
        try (Scope s = Context.bind(CONTEXT)) {
            f = CompletableFuture.supplyAsync(supplier, (Executor) keeper);
        }
        keeper.take().run();
        return f;
    }

    @Benchmark
    @Fork(1)
    public Object executeBoundNoAgent() {
        return executeBound();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object executeBoundAgent() {
        return executeBound();
    }

    @Benchmark
    @Fork(1)
    public Object executeUnboundNoAgent() {
        return execute();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object executeUnboundAgent() {
        return execute();
    }

    @Benchmark
    @Fork(1)
    public Object submitBoundNoAgent() {
        return submitBound();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object submitBoundAgent() {
        return submitBound();
    }

    @Benchmark
    @Fork(1)
    public Object submitUnboundNoAgent() {
        return submit();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object submitUnboundAgent() {
        return submit();
    }

    @Benchmark
    @Fork(1)
    public Object supplyAsyncBoundNoAgent() {
        return supplyAsyncBound();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object supplyAsyncBoundAgent() {
        return supplyAsyncBound();
    }

    @Benchmark
    @Fork(1)
    public Object supplyAsyncUnboundNoAgent() {
        return supplyAsync();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object supplyAsyncUnboundAgent() {
        return supplyAsync();
    }

    @Benchmark
    @Fork(1)
    public Object threadStartBoundNoAgent() throws InterruptedException {
        return threadStartBound();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object threadStartBoundAgent() throws InterruptedException {
        return threadStartBound();
    }

    @Benchmark
    @Fork(1)
    public Object threadStartUnboundNoAgent() throws InterruptedException {
        return threadStart();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object threadStartUnboundAgent() throws InterruptedException {
        return threadStart();
    }

    @Benchmark
    @Fork(1)
    public Object forkBoundNoAgent() {
        return forkBound();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object forkBoundAgent() {
        return forkBound();
    }

    @Benchmark
    @Fork(1)
    public Object forkUnboundNoAgent() {
        return fork();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = AGENT)
    public Object forkUnboundAgent() {
        return fork();
    }
}

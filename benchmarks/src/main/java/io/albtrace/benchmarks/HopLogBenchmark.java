package io.albtrace.benchmarks;

import io.albtrace.core.Config;
import io.albtrace.core.HopLog;
import io.albtrace.core.ServerEntry;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the hop log (SPEC 8) costs the request's thread: one request's server entry as the server advice makes it
 * ({@code ServerEntry.enter}, what the request is, {@code close}, {@code finish} with its status), with
 * {@code albtrace.hoplog} set ({@code on}: the line handed to the writer's queue; the writer thread formats it and
 * writes it to {@code /dev/null} on the other core) and unset ({@code off}), and the entry as it was before the hop
 * log ({@code before}: {@code enter} and {@code close} alone), so {@code off - before} is what the hop log costs when
 * it is off and {@code on - off} what a line costs the request.
 *
 * <p>Each operation is paced with {@code Blackhole.consumeCPU(pace)} (about 10 µs on this project's machine) so that
 * the writer keeps up, as it does for a real service (some 100,000 requests a second at that pace): without it the
 * queue would fill in milliseconds and the benchmark would measure dropping lines. The pace is in all three, so the
 * differences are the entry's. Each trial checks that lines are written, not dropped, and prints the bytes the
 * benchmark's own thread allocated per operation and the CPU time it used ({@code request thread: N B/op, M ns
 * CPU/op}), which leave out what the writer allocates and uses (the {@code gc.alloc.rate.norm} of {@code -prof gc}
 * counts every thread) and, the CPU time, what other processes on a busy machine take from the wall time. Run from
 * the repository root:
 * {@code java -jar benchmarks/target/benchmarks.jar HopLog -prof gc}.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class HopLogBenchmark {

    static final String HEADER = "Self=1-63441c4a-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;"
            + "Sampled=1";

    @Param({"4096"})
    public int pace;

    private Config previous;
    private long allocatedAtStart;
    private long cpuAtStart;
    private long operations;
    private long droppedAtStart;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Settings with the hop log to {@code /dev/null}, or none. */
    static Config settings(boolean on) {
        Properties p = new Properties();
        if (on) {
            p.setProperty(Config.HOPLOG, "/dev/null");
            p.setProperty(Config.HOPLOG_MAX_BYTES, "0");
            p.setProperty(Config.SERVICE_NAME, "bench");
        }
        p.setProperty(Config.MDC_ENABLED, "false");
        return Config.load(p, Map.of());
    }

    @Setup(Level.Iteration)
    public void start() {
        allocatedAtStart = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        cpuAtStart = threads.getCurrentThreadCpuTime();
        operations = 0;
    }

    @TearDown(Level.Iteration)
    public void end() {
        long bytes = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - allocatedAtStart;
        long cpu = threads.getCurrentThreadCpuTime() - cpuAtStart;
        System.out.printf("%nrequest thread: %.1f B/op, %.0f ns CPU/op over %d operations%n",
                (double) bytes / operations, (double) cpu / operations, operations);
    }

    /** The entry as the server advice makes it. */
    private ServerEntry request(boolean newRequest) {
        operations++;
        ServerEntry entry = ServerEntry.enter(HEADER, null, null, newRequest);
        entry.request("GET", "orders.internal:8080", 8080, "/orders/42");
        entry.close();
        if (entry.logsHop()) {
            entry.finish(200);
        }
        return entry;
    }

    /** With the hop log on. */
    @State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class On {
        Config previous;
        long dropped;

        @Setup(Level.Trial)
        public void on() {
            previous = Config.install(settings(true));
            dropped = HopLog.dropped();
        }

        @TearDown(Level.Trial)
        public void check() {
            Config.install(previous);
            if (!HopLog.awaitWritten(60_000)) {
                throw new IllegalStateException("the hop log's lines were not written");
            }
            long lost = HopLog.dropped() - dropped;
            System.out.printf("%nlines dropped: %d%n", lost);
            if (lost > 0) {
                throw new IllegalStateException(lost + " lines were dropped: the writer did not keep up, slow the pace");
            }
        }
    }

    /** With the hop log off. */
    @State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class Off {
        Config previous;

        @Setup(Level.Trial)
        public void off() {
            previous = Config.install(settings(false));
        }

        @TearDown(Level.Trial)
        public void restore() {
            Config.install(previous);
        }
    }

    @Benchmark
    public ServerEntry on(On on) {
        Blackhole.consumeCPU(pace);
        return request(true);
    }

    @Benchmark
    public ServerEntry off(Off off) {
        Blackhole.consumeCPU(pace);
        return request(true);
    }

    /** Requests in a batch of {@link #batch()}. */
    static final int BATCH = 1000;

    /**
     * Unpaced: {@value #BATCH} requests, then what they queued taken and dropped on this thread ({@code
     * HopLog.discardQueued}), so the queue never fills whatever the rate; the writer thread's formatting is left out,
     * the queue's taking is in. Per request.
     */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int batchOn(On on) {
        return batch();
    }

    /** As {@link #batchOn} with the hop log off. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int batchOff(Off off) {
        return batch();
    }

    /** As {@link #before}, unpaced, in a batch of the same size (what {@link #batchOff} is compared with). */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int batchBefore(Off off) {
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            operations++;
            ServerEntry entry = ServerEntry.enter(HEADER, null, null);
            entry.close();
            n += entry.logsHop() ? 1 : 0;
        }
        return n + HopLog.discardQueued();
    }

    private int batch() {
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            n += request(true).logsHop() ? 1 : 0;
        }
        return n + HopLog.discardQueued();
    }

    /** A context that came with a Self, in which the outgoing calls are made. */
    static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;Self=1-63441c4a-12456789abcdef012345678";
    static final java.net.URI TARGET = java.net.URI.create("http://inventory.internal:8080/stock/42?fields=all");

    /**
     * One outgoing call as a client's advice makes it with the hop log (the JDK's {@code HttpClient}: the hop begun,
     * the header forwarded, the hop ended and finished with the status), in a bound context. With the hop log off,
     * {@code OutgoingHop.begin} returns null and the rest is the forwarding alone, as before the hop log.
     */
    private int outgoing() {
        int n = 0;
        try (io.albtrace.core.Scope s = io.albtrace.core.Context.bind(CONTEXT)) {
            for (int i = 0; i < BATCH; i++) {
                operations++;
                io.albtrace.core.OutgoingHop hop = io.albtrace.core.OutgoingHop.begin("GET", TARGET);
                n += io.albtrace.core.Outgoing.header(null, 0).length();
                if (hop != null) {
                    hop.end();
                    hop.finish(200);
                }
            }
        }
        return n + HopLog.discardQueued();
    }

    /** Unpaced outgoing calls with the hop log on, per call (see {@link #batchOn} for the queue). */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int outOn(On on) {
        return outgoing();
    }

    /** As {@link #outOn} with the hop log off: the forwarding alone. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int outOff(Off off) {
        return outgoing();
    }

    /** The entry as before the hop log: enter and close. */
    @Benchmark
    public ServerEntry before(Off off) {
        Blackhole.consumeCPU(pace);
        operations++;
        ServerEntry entry = ServerEntry.enter(HEADER, null, null);
        entry.close();
        return entry;
    }
}

package io.albtrace.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import org.apache.hc.client5.http.classic.methods.HttpGet;

/**
 * Diagnostic: the CPU time one {@link ClientRequestBenchmark} case spends per request, outside JMH: the calling
 * thread's own, and that of every other live thread (the client's and the loopback responder's), besides the wall
 * time. A thread's CPU time grows only while it runs, so other work on the machine moves it much less than
 * throughput or latency (caches still do, and a stolen virtual CPU does not show as stolen). Run it without and
 * with the agent, alternately, and compare the minimums:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.CpuProbe apache true
 * java -javaagent:agent/target/albtrace-agent.jar -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.CpuProbe apache true
 * java -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.CpuProbe apache true 30000 5 "Self=1-...;Root=..."
 * </pre>
 * Arguments: the client ({@code okhttp}, {@code apache}, {@code jdk}), whether in a context, optionally the number
 * of measured requests per round (default 30000), of rounds (default 5) and, for {@code apache} only, an
 * {@code X-Amzn-Trace-Id} value set on the request itself: run without the agent, it prices what the header's bytes
 * alone cost the client, the loopback and the responder, with nobody computing it. Prints the minimum of each
 * figure over the rounds, then each round.
 */
public final class CpuProbe {

    private CpuProbe() {
    }

    public static void main(String[] args) throws Exception {
        ClientRequestBenchmark bench = AllocationProbe.setUp(args);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 30000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        if (args.length > 4 && !args[4].isEmpty()) {
            Field get = ClientRequestBenchmark.class.getDeclaredField("apacheGet");
            get.setAccessible(true);
            ((HttpGet) get.get(bench)).addHeader("X-Amzn-Trace-Id", args[4]);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        for (int i = 0; i < 4 * n; i++) {
            bench.noAgent();
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        StringBuilder each = new StringBuilder();
        for (int round = 0; round < rounds; round++) {
            long[] ids = threads.getAllThreadIds();
            long[] before = cpu(threads, ids);
            long wall = System.nanoTime();
            for (int i = 0; i < n; i++) {
                bench.noAgent();
            }
            wall = System.nanoTime() - wall;
            long[] after = cpu(threads, ids);
            long caller = 0;
            long other = 0;
            for (int i = 0; i < ids.length; i++) {
                if (before[i] >= 0 && after[i] >= 0) {
                    if (ids[i] == self) {
                        caller += after[i] - before[i];
                    } else {
                        other += after[i] - before[i];
                    }
                }
            }
            double[] us = {caller / 1000.0 / n, other / 1000.0 / n, wall / 1000.0 / n};
            for (int k = 0; k < 3; k++) {
                best[k] = Math.min(best[k], us[k]);
            }
            each.append(String.format(" [%.2f %.2f %.2f]", us[0], us[1], us[2]));
        }
        bench.tearDown();
        System.out.println(String.format("%s%s: us/request, minimum of %d rounds of %d: caller CPU %.2f, other threads"
                + " CPU %.2f, wall %.2f; each round [caller other wall]:%s", bench.client,
                bench.inContext ? " in a context" : "", rounds, n, best[0], best[1], best[2], each));
    }

    private static long[] cpu(ThreadMXBean threads, long[] ids) {
        long[] t = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            t[i] = threads.getThreadCpuTime(ids[i]);
        }
        return t;
    }
}

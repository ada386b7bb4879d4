package io.albtrace.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * Diagnostic: the bytes allocated per request, over all the JVM's threads, by one {@link ClientRequestBenchmark}
 * case, without JMH's own threads and iterations in the count (its {@code -prof gc} figure moves by hundreds of
 * bytes between runs on a busy machine). Warms up, then counts what every live thread allocated during the
 * requests ({@code com.sun.management.ThreadMXBean}); the clients keep their connection and threads alive, so no
 * thread's bytes are lost. Run it once without and once with the agent and subtract:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.AllocationProbe apache false
 * java -javaagent:agent/target/albtrace-agent.jar -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.AllocationProbe apache false
 * </pre>
 * Arguments: the client ({@code okhttp}, {@code apache}, {@code jdk}), whether in a context, and optionally the
 * number of measured requests (default 20000).
 */
public final class AllocationProbe {

    private AllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        ClientRequestBenchmark bench = setUp(args);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 3 * n; i++) {
            bench.noAgent();
        }
        long[] before = new long[3];
        for (int round = 0; round < 3; round++) {
            long[] ids = threads.getAllThreadIds();
            long start = sum(threads.getThreadAllocatedBytes(ids));
            for (int i = 0; i < n; i++) {
                bench.noAgent();
            }
            long end = sum(threads.getThreadAllocatedBytes(ids));
            before[round] = (end - start) / n;
        }
        bench.tearDown();
        System.out.println(bench.client + (bench.inContext ? " in a context" : "") + ": B/request " + before[0] + " "
                + before[1] + " " + before[2]);
    }

    /** The case named by a probe's first two arguments (client, in a context), set up and checked as in a trial. */
    static ClientRequestBenchmark setUp(String[] args) throws Exception {
        ClientRequestBenchmark bench = new ClientRequestBenchmark();
        bench.client = args[0];
        bench.inContext = Boolean.parseBoolean(args[1]);
        bench.setUp();
        return bench;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(v, 0);
        }
        return s;
    }
}

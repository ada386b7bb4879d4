package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * What the operator hook costs per signal where the signals come on the thread that subscribed (the common case):
 * a chain of four operators run with a context bound allocates, per signal, no more than the same chain with none
 * (a wrapper per operator subscribed, then nothing per signal: the context is bound there already).
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class AllocationTest {

    private static final int SIGNALS = 200_000;
    private static final Object VALUE = new Object();

    @Test
    void noAllocationPerSignalOnTheSubscribingThread() {
        // the chain is wrapped where a context is bound: the subscriber of an operator that may signal from another
        // thread (publishOn) is handed the agent's wrapper
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            String[] subscription = new String[1];
            Flux.just(1).publishOn(reactor.core.scheduler.Schedulers.immediate()).subscribe(new reactor.core.publisher.BaseSubscriber<Integer>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription upstream) {
                    subscription[0] = upstream.getClass().getName();
                    upstream.request(Long.MAX_VALUE);
                }
            });
            org.junit.jupiter.api.Assertions.assertEquals(ContextSubscriber.class.getName(), subscription[0]);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long withContext = Long.MAX_VALUE;
        long without = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) { // the least of several rounds, after the JIT has compiled
            long before = threads.getCurrentThreadAllocatedBytes();
            run();
            without = Math.min(without, threads.getCurrentThreadAllocatedBytes() - before);
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                before = threads.getCurrentThreadAllocatedBytes();
                run();
                withContext = Math.min(withContext, threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        double perSignal = (double) (withContext - without) / SIGNALS;
        System.out.println("bytes per signal added with a context bound: " + perSignal + " (with " + withContext
                + ", without " + without + " for " + SIGNALS + " signals)");
        assertTrue(perSignal < 0.5, "allocates per signal: " + perSignal + " bytes");
    }

    private static void run() {
        long[] count = new long[1];
        Flux.<Object>generate(sink -> sink.next(VALUE)).take(SIGNALS).map(v -> v).filter(v -> v != null)
                .doOnNext(v -> count[0]++).blockLast();
        if (count[0] != SIGNALS) {
            throw new AssertionError(count[0]);
        }
    }
}

package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Mdc;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;
import reactor.core.scheduler.Scheduler;

/** Looks, from a thread with no context, at what each worker of a scheduler has bound. */
final class Probe {

    private Probe() {
    }

    /**
     * Runs a probe task on every worker of each scheduler (a scheduler's workers are taken in turn: 64 rounds reach
     * them all) and asserts that none has a context or an MDC entry of the agent's. Returns the threads probed.
     */
    static Set<String> assertNoContextOn(Scheduler... schedulers) throws Exception {
        assertEquals(null, Context.current(), "the probing thread has a context");
        Set<String> threads = new HashSet<>();
        for (Scheduler scheduler : schedulers) {
            for (int i = 0; i < 64; i++) {
                Scheduler.Worker worker = scheduler.createWorker();
                CompletableFuture<String> seen = new CompletableFuture<>();
                worker.schedule(() -> seen.complete(Thread.currentThread().getName() + " context="
                        + Context.current() + " mdc=" + MDC.get(Mdc.ROOT) + "/" + MDC.get(Mdc.ID)));
                String what = seen.get(30, TimeUnit.SECONDS);
                worker.dispose();
                String thread = what.substring(0, what.indexOf(' '));
                threads.add(thread);
                assertEquals(thread + " context=null mdc=null/null", what);
            }
        }
        return threads;
    }
}

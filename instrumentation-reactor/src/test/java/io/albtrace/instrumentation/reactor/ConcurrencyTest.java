package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * 1,000 requests with distinct Roots in flight together on the JDK's server, whose handlers return at once: each
 * request's chain waits on one gate (a sink completed by the test's thread, which has no context), then calls the
 * back from {@code boundedElastic} and again in a {@code map} after a hop to {@code parallel}, and responds from
 * there. Every call carries its own request's Root and no other; no scheduler thread keeps a context afterwards.
 */
@ExtendWith(InstalledAgent.class)
class ConcurrencyTest {

    private static final int REQUESTS = 1000;

    @Test
    void everyCallCarriesItsOwnRequestsRoot() throws Exception {
        try (Service service = new Service()) {
            Sinks.Empty<Void> gate = Sinks.empty();
            CountDownLatch entered = new CountDownLatch(REQUESTS);
            service.handle("/many", exchange -> {
                String n = URI.create(exchange.getRequestURI().toString()).getQuery();
                gate.asMono()
                        .then(Mono.fromCallable(() -> service.get("/back/a/" + n))
                                .subscribeOn(Schedulers.boundedElastic()))
                        .publishOn(Schedulers.parallel())
                        .map(v -> service.get("/back/b/" + n))
                        .subscribe(v -> Service.respond(exchange, "done " + n),
                                e -> Service.respond(exchange, "failed " + e));
                entered.countDown();
                return null; // responds later, from the chain
            });
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                calls.add(service.callAsync("/many?" + i, Service.incoming(i)));
            }
            assertTrue(entered.await(120, TimeUnit.SECONDS), "not all requests came in");
            assertEquals(0, service.back.received().size(), "a call went before the gate opened");
            assertEquals(Sinks.EmitResult.OK, gate.tryEmitEmpty());
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals("done " + i, calls.get(i).get(120, TimeUnit.SECONDS));
            }
            assertEquals(2 * REQUESTS, service.back.received().size());
            for (int i = 0; i < REQUESTS; i++) {
                for (String step : new String[] {"/back/a/", "/back/b/"}) {
                    Trace.assertForwarded("Self={NEW};Root=" + Service.root(i) + ";CalledFrom=t",
                            Service.incoming(i), service.receivedOnce(step + i));
                }
            }
        }
        Probe.assertNoContextOn(Schedulers.parallel(), Schedulers.boundedElastic());
        TestAgent.assertNoVersionProblems();
    }
}

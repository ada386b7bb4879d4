package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.Trace;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * SPEC 5.5 on Reactor's schedulers: schedulers made and first used inside a request (their threads started there)
 * send nothing of that request afterwards, for other requests or for none, and keep no context or MDC entry.
 */
@ExtendWith(InstalledAgent.class)
class LazySchedulersTest {

    @Test
    void schedulersStartedInARequestKeepNothingOfIt() throws Exception {
        Scheduler[] made = new Scheduler[3];
        try (Service service = new Service()) {
            service.handle("/first", exchange -> {
                made[0] = Schedulers.newParallel("lazy-parallel", 2);
                made[1] = Schedulers.newBoundedElastic(2, 1000, "lazy-elastic");
                made[2] = Schedulers.newSingle("lazy-single");
                StringBuilder b = new StringBuilder();
                for (int s = 0; s < made.length; s++) {
                    int k = s;
                    b.append(Flux.range(0, 4).flatMap(i -> Mono.fromCallable(
                            () -> service.get("/back/first/" + k + "/" + i)).subscribeOn(made[k])).collectList()
                            .block());
                }
                return b.toString();
            });
            service.call("/first", Service.incoming(100));
            for (int s = 0; s < made.length; s++) {
                for (int i = 0; i < 4; i++) {
                    Trace.assertForwarded("Self={NEW};Root=" + Service.root(100) + ";CalledFrom=t",
                            Service.incoming(100), service.receivedOnce("/back/first/" + s + "/" + i));
                }
            }
            Set<String> threads = Probe.assertNoContextOn(made);
            assertTrue(threads.size() >= 4, "the schedulers' threads were probed: " + threads);

            // later: calls from those threads for no request carry a new Root, nothing of request 100
            for (int s = 0; s < made.length; s++) {
                for (int i = 0; i < 4; i++) {
                    String path = "/back/none/" + s + "/" + i;
                    Mono.fromCallable(() -> service.get(path)).subscribeOn(made[s]).block();
                    Trace.assertForwarded("Root={NEW}", null, service.receivedOnce(path));
                }
            }
            // and for another request, that request's Root
            service.handle("/second", exchange -> {
                StringBuilder b = new StringBuilder();
                for (int s = 0; s < made.length; s++) {
                    int k = s;
                    b.append(Mono.just(k).publishOn(made[k]).map(v -> service.get("/back/second/" + k)).block());
                }
                return b.toString();
            });
            service.call("/second", Service.incoming(101));
            for (int s = 0; s < made.length; s++) {
                Trace.assertForwarded("Self={NEW};Root=" + Service.root(101) + ";CalledFrom=t",
                        Service.incoming(101), service.receivedOnce("/back/second/" + s));
            }
            assertEquals(3 * 4 * 2 + 3, service.back.received().size());
            Probe.assertNoContextOn(made);
        } finally {
            for (Scheduler s : made) {
                if (s != null) {
                    s.dispose();
                }
            }
        }
    }
}

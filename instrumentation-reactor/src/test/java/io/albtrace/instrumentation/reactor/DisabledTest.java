package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Run in a JVM of its own with {@code albtrace.instrumentation.reactor.enabled=false} (see the pom): Reactor is left
 * as it is. No operator is lifted, and where only Reactor could carry the context (a value emitted by a thread of
 * the application's, a task on an executor of the application's) the calls start a new Root. The JDK's server
 * entry, client and executors are still installed.
 */
class DisabledTest {

    @Test
    void nothingIsCarriedByReactor() throws Exception {
        assertEquals("false", System.getProperty("albtrace.instrumentation.reactor.enabled"));
        TestAgent.install("jdk", Arrays.asList("com.sun.net.httpserver.Filter$Chain"), true);
        String assembled = Mono.just(1).map(v -> v + 1).getClass().getSimpleName();
        assertFalse(assembled.contains("Lift"), assembled);
        try (Service service = new Service(); OwnThread emitter = new OwnThread("emitter");
                OwnThread executor = new OwnThread("app-executor")) {
            Scheduler scheduler = Schedulers.fromExecutor(executor);
            service.handle("/off", exchange -> {
                Mono<String> created = Mono.<String>create(s -> emitter.executeIn(null, () -> s.success("v")))
                        .map(v -> service.get("/back/off/create"));
                Sinks.One<String> sink = Sinks.one();
                java.util.concurrent.CompletableFuture<String> sunk = sink.asMono()
                        .map(v -> service.get("/back/off/sink")).toFuture();
                emitter.executeIn(null, () -> sink.tryEmitValue("v"));
                return created.block() + sunk.join()
                        + Mono.fromCallable(() -> service.get("/back/off/executor")).subscribeOn(scheduler).block();
            });
            service.call("/off", Service.incoming(1));
            for (String path : new String[] {"/back/off/create", "/back/off/sink", "/back/off/executor"}) {
                Trace.assertForwarded("Root={NEW}", null, service.receivedOnce(path));
            }
        }
    }
}

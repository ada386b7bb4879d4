package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Mdc;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuple2;

/**
 * A request served by the JDK's {@code HttpServer} (its context bound by the server entry) runs Reactor chains that
 * call the back service with the JDK's {@code HttpClient} on other threads: each call carries exactly that request's
 * Root (SPEC 5.4), whichever thread the signal or task runs on, and the threads keep nothing afterwards (SPEC 5.5).
 * The back's header must be {@code Self=<new>;Root=<the request's>;CalledFrom=t}: the front received
 * {@code Self=<x>;Root=...;CalledFrom=t} (the test's own, instrumented, client adds a Self to the header it sets).
 */
@ExtendWith(InstalledAgent.class)
class ReactorContextTest {

    private static Service service;
    /** Another request's code, or none's, on a long-lived thread of the application's. */
    private static OwnThread emitter;
    /** The thread of an executor of the application's, given to {@code Schedulers.fromExecutor}. */
    private static OwnThread executorThread;

    @BeforeAll
    static void start() throws Exception {
        service = new Service();
        emitter = new OwnThread("emitter");
        executorThread = new OwnThread("app-executor");
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        emitter.close();
        executorThread.close();
        TestAgent.assertNoVersionProblems();
        TestAgent.assertNothingLeftToByteBuddy();
    }

    /** Serves {@code path} with {@code chain}, called once with request number {@code n}'s context. */
    private static void request(String path, int n, Supplier<Object> chain) throws Exception {
        service.handle(path, exchange -> String.valueOf(chain.get()));
        String body = service.call(path, Service.incoming(n));
        assertTrue(!body.startsWith("failed"), body);
    }

    /** The back received exactly one call on {@code path}, with request {@code n}'s Root and a new Self. */
    private static void assertForwarded(String path, int n) {
        Trace.assertForwarded("Self={NEW};Root=" + Service.root(n) + ";CalledFrom=t", Service.incoming(n),
                service.receivedOnce(path));
    }

    /**
     * An operator that may signal from another thread ({@code RUN_STYLE} {@code ASYNC}: {@code publishOn},
     * {@code delayElement}, {@code Mono.create}) is lifted as it is assembled; one that signals on its upstream's thread
     * ({@code SYNC}: {@code map}, {@code just}) is left as it is, and still runs in the context its upstream's lift
     * binds (the other tests of this class).
     */
    @Test
    void theOperatorsThatMaySignalFromAnotherThreadAreLiftedOnceTheAgentIsThere() {
        for (Mono<?> lifted : List.of(Mono.just(1).publishOn(Schedulers.parallel()),
                Mono.just(1).delayElement(java.time.Duration.ofMillis(1)), Mono.create(sink -> sink.success(1)))) {
            String assembled = lifted.getClass().getSimpleName();
            assertTrue(assembled.startsWith("MonoLift"), assembled);
        }
        for (Mono<?> asItIs : List.of(Mono.just(1), Mono.just(1).map(v -> v + 1), Mono.defer(() -> Mono.just(1)))) {
            String assembled = asItIs.getClass().getSimpleName();
            assertTrue(!assembled.startsWith("MonoLift"), assembled);
        }
    }

    /**
     * A source of a library's own, made without Reactor's assembly hooks (no lift) and signalling from its own
     * long-lived thread, as Reactor Netty's and Spring's publishers do: a {@code map} after it, though {@code SYNC}, is
     * lifted, so the operators after that one run in the context where the chain was subscribed (the first runs in
     * the source's signal, with what its thread has); the thread keeps nothing.
     */
    @Test
    void aSyncOperatorAfterASourceMadeWithoutTheHooksRunsInTheSubscribersContext() throws Exception {
        java.util.concurrent.BlockingQueue<Runnable> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        String[] between = new String[1];
        Thread loop = new Thread(() -> { // started where no context is bound: it has none of its own
            try {
                while (true) {
                    queue.take().run();
                    between[0] = String.valueOf(Context.current());
                }
            } catch (InterruptedException e) {
                // the test is over
            }
        }, "own-source-loop");
        loop.setDaemon(true);
        loop.start();
        Flux<Integer> own = new Flux<Integer>() {
            @Override
            public void subscribe(reactor.core.CoreSubscriber<? super Integer> actual) {
                actual.onSubscribe(new org.reactivestreams.Subscription() {
                    @Override
                    public void request(long n) {
                        // signals come from the loop, whatever is requested
                    }

                    @Override
                    public void cancel() {
                    }
                });
                queue.add(() -> {
                    actual.onNext(1);
                    actual.onComplete();
                });
            }
        };
        try {
            // the first operator after the source runs in the source's signal, as the source's thread has it (none);
            // it is lifted, as its upstream's signals are not: the operators after it run in the subscriber's context
            Flux<Integer> first = own.map(v -> v);
            assertTrue(first.getClass().getSimpleName().startsWith("FluxLift"), first.getClass().getName());
            Flux<String> mapped = first.map(v -> String.valueOf(Context.current()));
            assertTrue(!mapped.getClass().getSimpleName().startsWith("FluxLift"), "covered: " + mapped.getClass());
            try (io.albtrace.core.Scope s = Context.bind(Trace.CONTEXT)) {
                assertEquals(Trace.CONTEXT, mapped.blockFirst(Duration.ofSeconds(10)));
            }
            for (int i = 0; i < 100 && between[0] == null; i++) {
                Thread.sleep(10);
            }
            assertEquals("null", between[0], "the source's thread keeps nothing");
        } finally {
            loop.interrupt();
        }
    }

    @Test
    void aCallableSubscribedOnBoundedElastic() throws Exception {
        request("/elastic", 1, () -> Mono.fromCallable(() -> service.get("/back/elastic"))
                .subscribeOn(Schedulers.boundedElastic()).block());
        assertForwarded("/back/elastic", 1);
    }

    @Test
    void aMapAfterPublishOnParallel() throws Exception {
        request("/parallel", 2, () -> Mono.just("v").publishOn(Schedulers.parallel())
                .map(v -> service.get("/back/parallel")).block());
        assertForwarded("/back/parallel", 2);
    }

    @Test
    void aMapAfterAValueEmittedByAThreadWithAnotherRequestsContext() throws Exception {
        request("/create-other", 3, () -> Mono.<String>create(sink -> emitter.executeIn(Service.incoming(9001),
                        () -> sink.success("v")))
                .map(v -> service.get("/back/create-other")).block());
        assertForwarded("/back/create-other", 3);
    }

    @Test
    void aMapAfterAValueEmittedByAThreadWithNoContext() throws Exception {
        request("/create-none", 4, () -> Mono.<String>create(sink -> emitter.executeIn(null, () -> sink.success("v")))
                .map(v -> service.get("/back/create-none")).block());
        assertForwarded("/back/create-none", 4);
    }

    @Test
    void aMapRightAfterASinkCompletedByAThreadWithAnotherRequestsContext() throws Exception {
        request("/sink-other", 5, () -> {
            Sinks.One<String> sink = Sinks.one();
            Mono<String> chain = sink.asMono().map(v -> service.get("/back/sink-other"));
            java.util.concurrent.CompletableFuture<String> result = chain.toFuture(); // subscribed here
            emitter.executeIn(Service.incoming(9002), () -> sink.tryEmitValue("v"));
            return result.join();
        });
        assertForwarded("/back/sink-other", 5);
    }

    @Test
    void aFluxSinkEmittingFromAThreadWithNoContext() throws Exception {
        request("/many-none", 6, () -> {
            Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
            java.util.concurrent.CompletableFuture<List<String>> result = sink.asFlux()
                    .map(i -> service.get("/back/many-none/" + i)).collectList().toFuture();
            emitter.executeIn(null, () -> {
                sink.tryEmitNext(0);
                sink.tryEmitNext(1);
                sink.tryEmitComplete();
            });
            return result.join();
        });
        assertForwarded("/back/many-none/0", 6);
        assertForwarded("/back/many-none/1", 6);
    }

    @Test
    void aMapAfterMonoDelayOnTheParallelScheduler() throws Exception {
        request("/delay", 7, () -> Mono.delay(Duration.ofMillis(20)).map(v -> service.get("/back/delay")).block());
        assertForwarded("/back/delay", 7);
    }

    @Test
    void theFlatMapOfAFlux() throws Exception {
        request("/flatmap", 8, () -> Flux.range(0, 4)
                .flatMap(i -> Mono.fromCallable(() -> service.get("/back/flatmap/" + i))
                        .subscribeOn(Schedulers.boundedElastic()))
                .collectList().block());
        for (int i = 0; i < 4; i++) {
            assertForwarded("/back/flatmap/" + i, 8);
        }
    }

    @Test
    void zipAndMergeOfTwoSources() throws Exception {
        request("/zip", 9, () -> {
            Tuple2<String, String> zipped = Mono.zip(
                    Mono.fromCallable(() -> service.get("/back/zip/a")).subscribeOn(Schedulers.boundedElastic()),
                    Mono.delay(Duration.ofMillis(5)).map(v -> service.get("/back/zip/b"))).block();
            List<String> merged = Flux.merge(
                    Mono.fromCallable(() -> service.get("/back/merge/a")).subscribeOn(Schedulers.single()),
                    Mono.<String>create(s -> emitter.executeIn(Service.incoming(9003), () -> s.success("x")))
                            .map(v -> service.get("/back/merge/b"))).collectList().block();
            return zipped + " " + merged;
        });
        assertForwarded("/back/zip/a", 9);
        assertForwarded("/back/zip/b", 9);
        assertForwarded("/back/merge/a", 9);
        assertForwarded("/back/merge/b", 9);
    }

    @Test
    void anExecutorOfTheApplicationsGivenToFromExecutor() throws Exception {
        Scheduler scheduler = Schedulers.fromExecutor(executorThread);
        request("/from-executor", 10, () -> Mono.fromCallable(() -> service.get("/back/from-executor"))
                .subscribeOn(scheduler).block());
        assertForwarded("/back/from-executor", 10);
        // a task scheduled there where no context is bound: a new Root, nothing of request 10
        Mono.fromCallable(() -> service.get("/back/from-executor/none")).subscribeOn(scheduler).block();
        Trace.assertForwarded("Root={NEW}", null, service.receivedOnce("/back/from-executor/none"));
    }

    @Test
    void aTaskScheduledDirectlyOnASchedulerAndBack() throws Exception {
        request("/schedule", 11, () -> {
            java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
            Schedulers.parallel().schedule(() -> Schedulers.boundedElastic().schedule(
                    () -> done.complete(service.get("/back/schedule"))));
            String first = done.join();
            // and back: publishOn to another scheduler, then a map on this one again
            return first + Mono.just(1).publishOn(Schedulers.single()).map(v -> service.get("/back/schedule/single"))
                    .publishOn(Schedulers.boundedElastic()).map(v -> service.get("/back/schedule/back")).block();
        });
        assertForwarded("/back/schedule", 11);
        assertForwarded("/back/schedule/single", 11);
        assertForwarded("/back/schedule/back", 11);
    }

    @Test
    void theMdcHoldsTheRequestsRootInAMapOnAnotherScheduler() throws Exception {
        service.handle("/mdc", exchange -> Mono.just(1).publishOn(Schedulers.parallel())
                .map(v -> MDC.get(Mdc.ROOT) + "|" + MDC.get(Mdc.ID) + "|" + Thread.currentThread().getName())
                .block());
        String body = service.call("/mdc", Service.incoming(12));
        String[] parts = body.split("\\|");
        assertEquals(Service.root(12), parts[0], body);
        assertTrue(parts[1].matches("Self=" + Trace.NEW + ";Root=" + Service.root(12) + ";CalledFrom=t"), body);
        assertTrue(parts[2].startsWith("parallel-"), body);
        // and where the emitting thread has another request's context
        service.handle("/mdc-other", exchange -> Mono.<String>create(s -> emitter.executeIn(Service.incoming(9004),
                () -> s.success("x"))).publishOn(Schedulers.single()).map(v -> String.valueOf(MDC.get(Mdc.ROOT)))
                .block());
        assertEquals(Service.root(13), service.call("/mdc-other", Service.incoming(13)));
    }

    @Test
    void anApplicationThatResetsTheOperatorHooksAndSetsItsOwn() throws Exception {
        Hooks.onEachOperator("app", p -> p);
        Hooks.resetOnEachOperator();
        Hooks.onEachOperator("app", p -> p);
        try {
            request("/app-hooks", 14, () -> Mono.<String>create(s -> emitter.executeIn(Service.incoming(9005),
                    () -> s.success("x"))).map(v -> service.get("/back/app-hooks")).block());
            assertForwarded("/back/app-hooks", 14);
        } finally {
            Hooks.resetOnEachOperator("app");
        }
    }

    @Test
    void noSchedulerThreadKeepsAContext() throws Exception {
        request("/warm", 15, () -> Flux.range(0, 16).parallel().runOn(Schedulers.parallel())
                .map(i -> i).sequential().publishOn(Schedulers.boundedElastic()).collectList()
                .publishOn(Schedulers.single()).block());
        Probe.assertNoContextOn(Schedulers.parallel(), Schedulers.boundedElastic(), Schedulers.single());
    }
}

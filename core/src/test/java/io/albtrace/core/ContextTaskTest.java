package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ContextTaskTest {

    private static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;A=b";

    @Test
    void capturesNothingWhereNoContextIsBound() {
        Runnable task = () -> { };
        assertSame(task, ContextTask.wrap(task));
        assertSame(task, ContextTask.wrapAny(task));
        assertNull(ContextTask.wrap(null));
    }

    @Test
    void eachInterfaceRunsWithTheCapturedContextAndRestoresTheThreads() throws Exception {
        List<String> seen = new ArrayList<>();
        Object[] wrapped;
        try (Scope ignored = Context.bind(CONTEXT)) {
            wrapped = new Object[] {
                ContextTask.wrap((Runnable) () -> seen.add(Context.current())),
                ContextTask.wrap((Callable<String>) Context::current),
                ContextTask.wrap((Supplier<String>) Context::current),
                ContextTask.wrap((Function<String, String>) x -> x + Context.current()),
                ContextTask.wrap((Consumer<String>) x -> seen.add(x + Context.current())),
                ContextTask.wrap((BiFunction<String, String, String>) (a, b) -> a + b + Context.current()),
                ContextTask.wrap((BiConsumer<String, String>) (a, b) -> seen.add(a + b + Context.current()))};
        }
        assertNull(Context.current());
        ((Runnable) wrapped[0]).run();
        assertEquals(CONTEXT, ((Callable<?>) wrapped[1]).call());
        assertEquals(CONTEXT, ((Supplier<?>) wrapped[2]).get());
        @SuppressWarnings("unchecked")
        Function<String, String> f = (Function<String, String>) wrapped[3];
        assertEquals("x" + CONTEXT, f.apply("x"));
        @SuppressWarnings("unchecked")
        Consumer<String> c = (Consumer<String>) wrapped[4];
        c.accept("y");
        @SuppressWarnings("unchecked")
        BiFunction<String, String, String> bf = (BiFunction<String, String, String>) wrapped[5];
        assertEquals("ab" + CONTEXT, bf.apply("a", "b"));
        @SuppressWarnings("unchecked")
        BiConsumer<String, String> bc = (BiConsumer<String, String>) wrapped[6];
        bc.accept("c", "d");
        assertEquals(Arrays.asList(CONTEXT, "y" + CONTEXT, "cd" + CONTEXT), seen);
        assertNull(Context.current(), "nothing left on the thread");
    }

    @Test
    void aFutureIsNotWrappedButAThreadsTaskIs() {
        try (Scope ignored = Context.bind(CONTEXT)) {
            FutureTask<String> future = new FutureTask<>(() -> "x");
            assertSame(future, ContextTask.wrap(future));
            assertTrue(ContextTask.wrapAny(future) instanceof ContextTask);
            CompletableFuture<String> stage = new CompletableFuture<>();
            assertSame(stage, ContextTask.wrap(stage));
            Object once = ContextTask.wrap((Runnable) () -> { });
            assertSame(once, ContextTask.wrap(once), "not wrapped twice");
            Object servlet = ContextTask.wrapAny((Runnable) () -> { });
            assertSame(servlet, ContextTask.wrap(servlet));
            assertSame(once, ContextTask.wrapAny(once));
        }
    }

    @Test
    void bindsNothingASecondTimeOnAThreadThatHasTheContext() {
        try (Scope ignored = Context.bind(CONTEXT)) {
            Runnable task = (Runnable) ContextTask.wrap((Runnable) () -> assertEquals(CONTEXT, Context.current()));
            task.run();
            assertEquals(CONTEXT, Context.current());
        }
    }

    @Test
    void unwrapsWhereTheApplicationSeesItsTasks() {
        Runnable mine = () -> { };
        Object wrapped;
        try (Scope ignored = Context.bind(CONTEXT)) {
            wrapped = ContextTask.wrap(mine);
        }
        assertSame(mine, ContextTask.unwrap(wrapped));
        assertSame(mine, ContextTask.unwrap(mine));
        List<Object> list = new ArrayList<>(Arrays.asList(wrapped, "other"));
        ContextTask.unwrapAll(list);
        assertEquals(Arrays.asList(mine, "other"), list);
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(Arrays.asList("other", wrapped));
        assertFalse(ContextTask.removeWrapped(queue, "missing"));
        assertTrue(ContextTask.removeWrapped(queue, mine));
        assertEquals(Arrays.asList("other"), new ArrayList<>(queue));
        assertTrue(ContextTask.fifoQueue(queue));
        assertFalse(ContextTask.fifoQueue(new PriorityBlockingQueue<>()));
    }

    @Test
    void aWorkersBindingLastsUntilItsNextTask() {
        Runnable mine = () -> { };
        Object wrapped;
        try (Scope ignored = Context.bind(CONTEXT)) {
            wrapped = ContextTask.wrap(mine);
        }
        assertSame(mine, ContextTask.beginWorkerTask(wrapped));
        assertEquals(CONTEXT, Context.current());
        ContextTask.endWorkerTask();
        assertNull(Context.current());
        assertSame(mine, ContextTask.beginWorkerTask(mine));
        assertNull(Context.current());
        ContextTask.endWorkerTask();
    }
}

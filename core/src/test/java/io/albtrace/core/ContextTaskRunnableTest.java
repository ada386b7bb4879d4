package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ContextTask} as a {@link Runnable}, as a servlet's {@code AsyncContext.start} hands it over ({@code wrapAny}). */
class ContextTaskRunnableTest {

    private static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;Self=1-67891233-12456789abcdef012345678;A=b";

    @Test
    void nothingBoundReturnsTheTaskItself() {
        Runnable task = () -> { };
        assertSame(task, wrap(task));
        assertNull(wrap(null));
    }

    @Test
    void runsWithTheCapturedContextOnAnotherThreadAndLeavesNothingBehind() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            Runnable wrapped;
            try (Scope ignored = Context.bind(CONTEXT)) {
                wrapped = wrap(() -> seen.set(Context.current()));
            }
            assertTrue(wrapped instanceof ContextTask);
            assertEquals(CONTEXT, ((ContextTask) wrapped).context());
            pool.submit(wrapped).get(10, TimeUnit.SECONDS);
            assertEquals(CONTEXT, seen.get());
            assertNull(pool.submit(Context::current).get(10, TimeUnit.SECONDS), "the pooled thread kept the context");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void restoresTheRunningThreadsOwnContextAlsoWhenTheTaskThrows() {
        Runnable wrapped;
        try (Scope ignored = Context.bind(CONTEXT)) {
            wrapped = wrap(() -> {
                assertEquals(CONTEXT, Context.current());
                throw new IllegalStateException("task failed");
            });
        }
        try (Scope ignored = Context.bind("Root=1-00000000-000000000000000000000000")) {
            assertThrows(IllegalStateException.class, wrapped::run);
            assertEquals("Root=1-00000000-000000000000000000000000", Context.current());
        }
        assertNull(Context.current());
    }

    @Test
    void isNotWrappedTwice() {
        try (Scope ignored = Context.bind(CONTEXT)) {
            Runnable once = wrap(() -> { });
            assertSame(once, wrap(once));
        }
    }

    /** As the servlet's advice hands a task over. */
    private static Runnable wrap(Runnable task) {
        return (Runnable) ContextTask.wrapAny(task);
    }
}

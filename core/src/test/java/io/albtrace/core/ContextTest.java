package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContextTest {

    static final String A = "Root=1-67891233-abcdef012345678912345678";
    static final String B = "Root=1-11111111-111111111111111111111111;K=v";

    @BeforeEach
    @AfterEach
    void nothingBound() {
        assertNull(Context.current(), "a test left a context bound");
    }

    @Test
    void bindAndRestore() {
        assertNull(Context.current());
        Scope scope = Context.bind(A);
        assertEquals(A, Context.current());
        scope.close();
        assertNull(Context.current());
    }

    @Test
    void tryWithResources() {
        try (Scope ignored = Context.bind(A)) {
            assertEquals(A, Context.current());
        }
        assertNull(Context.current());
    }

    @Test
    void nesting() {
        try (Scope outer = Context.bind(A)) {
            assertEquals(A, Context.current());
            try (Scope inner = Context.bind(B)) {
                assertEquals(B, Context.current());
                try (Scope innermost = Context.bind(A)) {
                    assertEquals(A, Context.current());
                }
                assertEquals(B, Context.current());
            }
            assertEquals(A, Context.current());
        }
        assertNull(Context.current());
    }

    @Test
    void closeIsIdempotent() {
        Scope outer = Context.bind(A);
        Scope inner = Context.bind(B);
        inner.close();
        assertEquals(A, Context.current());
        Context.bind(B); // a later binding, not closed by the next calls
        inner.close();
        inner.close();
        assertEquals(B, Context.current());
        outer.close();
        assertNull(Context.current());
        outer.close();
        assertNull(Context.current());
    }

    @Test
    void nullBindsNone() {
        try (Scope outer = Context.bind(A)) {
            try (Scope none = Context.bind(null)) {
                assertNull(Context.current());
            }
            assertEquals(A, Context.current());
        }
        try (Scope none = Context.bind(null)) {
            assertNull(Context.current());
        }
        assertNull(Context.current());
    }

    /** The only test in this JVM that closes a scope on a foreign thread, so the once-only warning is ours. */
    @Test
    void closeOnAnotherThreadDoesNotRestoreAndWarnsOnce() throws Exception {
        Scope outer = Context.bind(A);
        Scope scope = Context.bind(B);
        AtomicReference<String> seenThere = new AtomicReference<>("unset");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        String err = StdErr.capture(() -> {
            for (int i = 0; i < 2; i++) {
                Thread other = new Thread(() -> {
                    try {
                        scope.close();
                        seenThere.set(Context.current());
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                other.start();
                other.join();
            }
        });
        assertNull(failed.get(), () -> "close on another thread threw " + failed.get());
        assertNull(seenThere.get(), "the other thread's context changed");
        assertEquals(B, Context.current(), "closing on another thread must not restore this thread's context");
        List<String> lines = StdErr.lines(err);
        assertEquals(1, lines.size(), () -> "expected one warning, got: " + err);
        assertTrue(lines.get(0).startsWith("[albtrace] "), lines.get(0));
        assertTrue(lines.get(0).contains("another thread"), lines.get(0));
        // the scope stayed open: its owner can still close it
        scope.close();
        assertEquals(A, Context.current());
        outer.close();
        assertNull(Context.current());
    }

    @Test
    void aThreadNeverSeesAnotherThreadsContext() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch allBound = new CountDownLatch(threads);
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String mine = "Root=1-67891233-abcdef01234567891234567" + t;
                futures.add(pool.submit(() -> {
                    List<String> seen = new ArrayList<>();
                    seen.add(String.valueOf(Context.current()));
                    try (Scope scope = Context.bind(mine)) {
                        allBound.countDown();
                        allBound.await();
                        for (int i = 0; i < 1000; i++) {
                            if (!mine.equals(Context.current())) {
                                seen.add("saw " + Context.current() + " instead of " + mine);
                            }
                            Thread.yield();
                        }
                    }
                    seen.add(String.valueOf(Context.current()));
                    return seen;
                }));
            }
            for (Future<List<String>> f : futures) {
                assertEquals(List.of("null", "null"), f.get());
            }
            // the pooled threads were left clean
            List<Future<String>> after = new ArrayList<>();
            for (int t = 0; t < threads * 4; t++) {
                after.add(pool.submit(() -> String.valueOf(Context.current())));
            }
            for (Future<String> f : after) {
                assertEquals("null", f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Scope mine = Context.bind(A)) {
            AtomicReference<String> there = new AtomicReference<>("unset");
            Thread child = new Thread(() -> there.set(Context.current()));
            child.start();
            child.join();
            assertNull(there.get(), "a new thread does not inherit the context");
        }
    }

    /**
     * SPEC 5.5, the bookkeeping behind a thread that inherits a binding: it holds while the binding it was started
     * from is open and is unbound (with what it had before restored) the first time the thread finds it ended.
     */
    @Test
    void anInheritedBindingHoldsWhileTheBindingItWasStartedFromIsOpen() throws Exception {
        Scope request = Context.bind(A);
        Context.Bound lease = Context.leaseForChildren();
        assertEquals(A, Context.current(), "making the lease changes nothing for the thread that binds");
        assertSame(lease, Context.leaseForChildren(), "one lease per binding");
        AtomicReference<String> during = new AtomicReference<>();
        AtomicReference<String> after = new AtomicReference<>();
        AtomicReference<Context.Bound> grandchildLease = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        Thread child = new Thread(() -> {
            Context.Leased leased = Context.bindLeased(A, lease);
            during.set(Context.current());
            grandchildLease.set(Context.leaseForChildren());
            awaitQuietly(ended);
            after.set(String.valueOf(Context.current()));
            Context.endLeased(leased);
        });
        child.start();
        // the child sets grandchildLease after during: wait for the later one (waiting for during raced with it)
        for (int i = 0; i < 10_000 && grandchildLease.get() == null; i++) {
            Thread.sleep(1);
        }
        assertEquals(A, during.get());
        assertSame(lease, grandchildLease.get(), "a thread started by an inheriting thread shares its lease");
        try (Scope task = Context.bind(B)) {
            assertSame(lease, grandchildLease.get());
            assertTrue(Context.leaseForChildren() != lease, "a binding over it leases on its own");
        }
        assertTrue(lease.holds(), "a binding made and closed over the request's does not end it");
        request.close();
        assertFalse(lease.holds());
        ended.countDown();
        child.join();
        assertEquals("null", after.get(), "the inherited binding outlived the binding it was started from");
    }

    @Test
    void aBindingKeptForLaterEndsOnlyWhenToldTo() {
        Scope request = Context.bind(A);
        Context.Bound lease = Context.leaseForChildren();
        assertTrue(Context.leaseMade());
        assertSame(lease, Context.keepForLater());
        request.close();
        assertNull(Context.current());
        assertTrue(lease.holds(), "kept: the asynchronous request goes on");
        Context.endKept(lease);
        assertFalse(lease.holds());
        try (Scope plain = Context.bind(B)) {
            assertFalse(Context.leaseMade());
            assertNull(Context.keepForLater(), "no thread was started: nothing to keep");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

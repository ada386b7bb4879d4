package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdsTest {

    @AfterEach
    void restoreDefaultSource() {
        Ids.use(null);
    }

    @Test
    void format() {
        long before = System.currentTimeMillis() / 1000L;
        String id = Ids.newId();
        long after = System.currentTimeMillis() / 1000L;
        assertEquals(35, id.length());
        assertEquals(Ids.LENGTH, id.length());
        assertTrue(NewIds.FRESH.matcher(id).matches(), id);
        assertTrue(TraceHeader.isValidId(id));
        long time = Long.parseLong(id.substring(2, 10), 16);
        assertTrue(time >= before && time <= after, id + " made between " + before + " and " + after);
    }

    @Test
    void customSourceIsWrittenExactly() {
        IdSource fixed = new IdSource() {
            @Override
            public long epochSecond() {
                return 0x67891233L;
            }

            @Override
            public long randomHigh() {
                return 0xabcdef0123456789L;
            }

            @Override
            public int randomLow() {
                return 0x0000000f;
            }
        };
        IdSource previous = Ids.use(fixed);
        try {
            assertSame(Ids.DEFAULT, previous);
            assertEquals("1-67891233-abcdef01234567890000000f", Ids.newId());
            // the engine takes its identifiers from the same source
            assertEquals("Self=1-67891233-abcdef01234567890000000f;Root=1-11111111-111111111111111111111111",
                    TraceHeader.forward("Root=1-11111111-111111111111111111111111", 0));
            assertEquals("Root=1-67891233-abcdef01234567890000000f;K=v", TraceHeader.forward("K=v", 0));
            assertEquals("Root=1-67891233-abcdef01234567890000000f;K=v", TraceHeader.entry("K=v"));
            assertSame(fixed, Ids.use(previous));
        } finally {
            Ids.use(previous);
        }
        assertNotEquals("1-67891233-abcdef01234567890000000f", Ids.newId());
    }

    @Test
    void allBitsAreWritten() {
        Ids.use(new IdSource() {
            @Override
            public long epochSecond() {
                return 0xffffffffL;
            }

            @Override
            public long randomHigh() {
                return -1L;
            }

            @Override
            public int randomLow() {
                return -1;
            }
        });
        assertEquals("1-ffffffff-ffffffffffffffffffffffff", Ids.newId());
        Ids.use(new IdSource() {
            @Override
            public long epochSecond() {
                return 0;
            }

            @Override
            public long randomHigh() {
                return 0;
            }

            @Override
            public int randomLow() {
                return 0;
            }
        });
        assertEquals("1-00000000-000000000000000000000000", Ids.newId());
        Ids.use(new IdSource() {
            @Override
            public long epochSecond() {
                return 0x01234567L;
            }

            @Override
            public long randomHigh() {
                return 0x0123456789abcdefL;
            }

            @Override
            public int randomLow() {
                return 0x89abcdef;
            }
        });
        assertEquals("1-01234567-0123456789abcdef89abcdef", Ids.newId());
    }

    @Test
    void nullRestoresTheDefault() {
        IdSource constant = new IdSource() {
            @Override
            public long epochSecond() {
                return 1;
            }

            @Override
            public long randomHigh() {
                return 2;
            }

            @Override
            public int randomLow() {
                return 3;
            }
        };
        Ids.use(constant);
        assertEquals("1-00000001-000000000000000200000003", Ids.newId());
        assertSame(constant, Ids.use(null));
        assertNotEquals(Ids.newId(), Ids.newId());
        assertSame(Ids.DEFAULT, Ids.use(null));
    }

    @Test
    void defaultSourceUsesTheClock() {
        long now = System.currentTimeMillis() / 1000L;
        assertTrue(Math.abs(Ids.DEFAULT.epochSecond() - now) <= 1);
    }

    /**
     * A million identifiers made on four threads at once are all different, and making them never blocks: the
     * threads neither wait for a monitor nor park (ThreadMXBean counts both) while they run.
     */
    @Test
    void millionUniqueAcrossFourThreadsWithoutBlocking() throws Exception {
        int threads = 4;
        int each = 250_000;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<String[]> results = new ArrayList<>();
        AtomicLong blockedOrWaited = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        Ids.newId(); // classes loaded before the threads race
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String[] ids = new String[each];
            results.add(ids);
            Thread worker = new Thread(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        ids[i] = Ids.newId(); // warm-up on this thread, overwritten below
                    }
                    start.await();
                    long id = Thread.currentThread().getId();
                    ThreadInfo before = mx.getThreadInfo(id);
                    for (int i = 0; i < each; i++) {
                        ids[i] = Ids.newId();
                    }
                    ThreadInfo after = mx.getThreadInfo(id);
                    blockedOrWaited.addAndGet(after.getBlockedCount() - before.getBlockedCount()
                            + after.getWaitedCount() - before.getWaitedCount());
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "ids-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        Set<String> all = new HashSet<>(threads * each * 2);
        for (String[] ids : results) {
            for (String id : ids) {
                assertTrue(NewIds.FRESH.matcher(id).matches(), id);
                assertTrue(all.add(id), () -> "duplicate identifier " + id);
            }
        }
        assertEquals(1_000_000, all.size());
        assertEquals(0, blockedOrWaited.get(), "times the id threads blocked or waited while making identifiers");
    }
}

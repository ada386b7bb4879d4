package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Netty future's listeners run with the context they were added in, and with none when they were added where none
 * was bound, or in different contexts: never with the context of the code that completes the future (another
 * request's, when a future completes inside that request's turn on the event loop; SPEC 5.5).
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class PromiseListenerTest {

    private static final String OTHER = "Root=1-67891234-0123456789abcdef01234567;CalledFrom=other";

    /**
     * Adds a listener that records the context it runs with to a new promise of an event loop, in {@code added}
     * (null: where none is bound), and one more listener in each of {@code others}; then completes the promise on
     * the loop in {@link #OTHER} (the listeners run there, inside that call). Returns what the first listener saw.
     */
    private static String seenBy(String added, String... others) throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            EventLoop loop = loops.next();
            Promise<Void> promise = loop.newPromise();
            AtomicReference<String> seen = new AtomicReference<>("not run");
            try (Scope s = Context.bind(added)) {
                promise.addListener(f -> seen.set(Context.current()));
            }
            for (String other : others) {
                try (Scope s = Context.bind(other)) {
                    promise.addListener(f -> { });
                }
            }
            loop.submit(() -> {
                try (Scope s = Context.bind(OTHER)) {
                    promise.setSuccess(null);
                }
            }).get(10, TimeUnit.SECONDS);
            return seen.get();
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aListenerAddedWithoutAContextRunsWithNoneWhereverTheFutureCompletes() throws Exception {
        assertNull(seenBy(null), "another request's context leaked into the listener");
    }

    @Test
    void aListenerAddedInAContextRunsWithItWhereverTheFutureCompletes() throws Exception {
        assertEquals(Trace.CONTEXT, seenBy(Trace.CONTEXT));
    }

    @Test
    void listenersAddedInDifferentContextsRunWithNone() throws Exception {
        assertNull(seenBy(Trace.CONTEXT, OTHER));
    }
}

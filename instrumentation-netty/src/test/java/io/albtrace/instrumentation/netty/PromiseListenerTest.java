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

    /** Completes {@code promise} on {@code loop} in {@code context}; returns the context its listener saw. */
    private static String completeIn(EventLoop loop, Promise<Void> promise, AtomicReference<String> seen,
            String context) throws Exception {
        loop.submit(() -> {
            try (Scope s = Context.bind(context)) {
                promise.setSuccess(null); // on the loop: the listeners run here, inside this call
            }
        }).get(10, TimeUnit.SECONDS);
        return seen.get();
    }

    @Test
    void aListenerAddedWithoutAContextRunsWithNoneWhereverTheFutureCompletes() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            EventLoop loop = loops.next();
            Promise<Void> promise = loop.newPromise();
            AtomicReference<String> seen = new AtomicReference<>("not run");
            promise.addListener(f -> seen.set(Context.current())); // no context bound here
            assertNull(completeIn(loop, promise, seen, OTHER), "another request's context leaked into the listener");
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aListenerAddedInAContextRunsWithItWhereverTheFutureCompletes() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            EventLoop loop = loops.next();
            Promise<Void> promise = loop.newPromise();
            AtomicReference<String> seen = new AtomicReference<>("not run");
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                promise.addListener(f -> seen.set(Context.current()));
            }
            assertEquals(Trace.CONTEXT, completeIn(loop, promise, seen, OTHER));
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void listenersAddedInDifferentContextsRunWithNone() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            EventLoop loop = loops.next();
            Promise<Void> promise = loop.newPromise();
            AtomicReference<String> seen = new AtomicReference<>("not run");
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                promise.addListener(f -> seen.set(Context.current()));
            }
            try (Scope s = Context.bind(OTHER)) {
                promise.addListener(f -> { });
            }
            assertNull(completeIn(loop, promise, seen, OTHER));
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

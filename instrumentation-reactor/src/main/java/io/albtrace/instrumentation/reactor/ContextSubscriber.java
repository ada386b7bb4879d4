package io.albtrace.instrumentation.reactor;

import io.albtrace.core.CapturedContexts;
import io.albtrace.core.Context;
import io.albtrace.core.LibraryHelpers;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Fuseable;
import reactor.core.Scannable;

/**
 * A Reactor subscriber that carries the context of the thread that subscribed it: each of its signals
 * ({@code onSubscribe}, {@code onNext}, {@code onError}, {@code onComplete}) runs the subscriber it wraps with that
 * context bound, and the log MDC with it, whichever thread emits (an event loop that completes another request's
 * I/O, a {@code Sinks} emitter, a timer, the worker of a {@code publishOn}), then restores what that thread had.
 * Where the signal comes on a thread that has that very context already, nothing is bound and nothing allocated.
 *
 * <p>One class in two roles, because the agent defines a helper as one class next to reactor-core's class loader
 * ({@link LibraryHelpers#instance}): the one instance made by its static initialiser is the lifter given to
 * {@code Hooks.onEachOperator} through {@code Operators.lift} ({@link #apply}, with {@link #test} as its filter);
 * every other instance is a subscriber made by it. The lifter runs when an operator is subscribed: where no context is bound it returns the
 * operator's subscriber as it is (nothing allocated, fusion untouched); else it wraps it. The wrapper passes itself
 * as the subscription, a {@code QueueSubscription} that refuses every fusion ({@link #requestFusion} says
 * {@code NONE}, as Reactor's own {@code hide()} does): an operator made for a fuseable source (a fuseable
 * {@code map}) gets the type it expects, and no operator fuses across the wrapper, which would run its function
 * in another operator's drain loop, outside any signal (a fused {@code map} after a {@code publishOn}).
 */
public final class ContextSubscriber implements CoreSubscriber<Object>, Fuseable.QueueSubscription<Object>, Scannable,
        BiFunction<Scannable, CoreSubscriber<Object>, CoreSubscriber<Object>>, Predicate<Scannable> {

    static {
        LibraryHelpers.created(new ContextSubscriber(null, null));
    }

    private final CoreSubscriber<Object> actual;
    private final String context;
    private Subscription upstream;

    private ContextSubscriber(CoreSubscriber<Object> actual, String context) {
        this.actual = actual;
        this.context = context;
    }

    /**
     * The lift's filter, asked once per operator as it is assembled: whether the operator is lifted at all. Not an
     * operator that says it runs on the thread that signals it ({@code RUN_STYLE} {@code SYNC}: {@code map},
     * {@code filter}, {@code doOnNext}, {@code defer}, {@code just}, most of them) whose signals all come from a
     * covered upstream ({@link #covered}): it signals downstream only inside a signal of that upstream, so it runs in
     * the context the upstream's lift bound, or inside its subscriber's own {@code subscribe} or {@code request}; a
     * lift of its own would bind the same context again. The operators that can signal from another thread (a source
     * fed by an event loop, a {@code Sinks}, {@code publishOn}, {@code delay}, an operator that does not say:
     * {@code ASYNC} or {@code UNKNOWN}), and a {@code SYNC} one after a publisher that was not lifted (a library's own
     * source made without Reactor's assembly hooks, whose signals come from its threads), are lifted. Skipping the
     * others spares each request's chains a lifted publisher per operator and its subscriber.
     */
    @Override
    public boolean test(Scannable operator) {
        return operator.scan(Attr.RUN_STYLE) != Attr.RunStyle.SYNC || !covered(operator);
    }

    /**
     * Whether every signal of {@code operator}, a {@code SYNC} operator, comes inside a signal of this lift's wrapper or
     * on its own subscriber's thread: going up its chain through {@code SYNC} operators only, it reaches a publisher
     * this lift wraps, or a {@code SYNC} source (no upstream: it signals inside {@code subscribe} or {@code request}).
     * Not covered when it meets anything else, or after {@link #MAX_DEPTH} steps.
     */
    static boolean covered(Scannable operator) {
        Scannable up = operator;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            Scannable parent = up.scan(Attr.PARENT);
            if (parent == null) {
                return true; // a SYNC source
            }
            if (NAME.equals(parent.scan(Attr.LIFTER))) {
                return true;
            }
            if (parent.scan(Attr.RUN_STYLE) != Attr.RunStyle.SYNC) {
                return false;
            }
            up = parent;
        }
        return false;
    }

    /** How far up a chain {@link #covered} looks. */
    private static final int MAX_DEPTH = 8;
    /** The name Reactor gives this lift: its lifter's {@code toString()} ({@code Attr.LIFTER} of a lifted publisher). */
    private static final String NAME = "albtrace's context lifter";

    /** The lifter: wraps {@code subscriber} when a context is bound where the operator is subscribed. */
    @Override
    public CoreSubscriber<Object> apply(Scannable publisher, CoreSubscriber<Object> subscriber) {
        String current = Context.current();
        if (current == null || subscriber == null) {
            return subscriber;
        }
        if (subscriber instanceof ContextSubscriber && ((ContextSubscriber) subscriber).context == current) {
            return subscriber;
        }
        return new ContextSubscriber(subscriber, current);
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        Object binding = CapturedContexts.begin(context, actual);
        try {
            actual.onSubscribe(this);
        } finally {
            CapturedContexts.end(binding);
        }
    }

    @Override
    public void onNext(Object value) {
        Object binding = CapturedContexts.begin(context, actual);
        try {
            actual.onNext(value);
        } finally {
            CapturedContexts.end(binding);
        }
    }

    @Override
    public void onError(Throwable error) {
        Object binding = CapturedContexts.begin(context, actual);
        try {
            actual.onError(error);
        } finally {
            CapturedContexts.end(binding);
        }
    }

    @Override
    public void onComplete() {
        Object binding = CapturedContexts.begin(context, actual);
        try {
            actual.onComplete();
        } finally {
            CapturedContexts.end(binding);
        }
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }

    /** No fusion across the wrapper: every signal goes through it. */
    @Override
    public int requestFusion(int requestedMode) {
        return Fuseable.NONE;
    }

    @Override
    public Object poll() {
        return null;
    }

    @Override
    public int size() {
        return 0;
    }

    @Override
    public boolean isEmpty() {
        return true;
    }

    @Override
    public void clear() {
        // nothing is queued here
    }

    @Override
    public reactor.util.context.Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return upstream;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
    }

    @Override
    public String toString() {
        return actual == null ? NAME : "albtrace context(" + actual + ")";
    }
}

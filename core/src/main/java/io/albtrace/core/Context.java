package io.albtrace.core;

/**
 * The context: the {@code X-Amzn-Trace-Id} value of the request the current thread is serving (SPEC 1, 4).
 * Bound by server entry points for exactly the handler's duration; read by client advice when an outgoing
 * request has no header of its own (SPEC 5).
 *
 * <p>What a thread holds is one of:
 * <ul>
 *   <li>nothing ({@code null});</li>
 *   <li>a {@code String}: a binding of a server entry point or of a task carried to this thread, which lasts until
 *       its scope closes;</li>
 *   <li>a {@link Bound}: the same, once a thread has been started from within it ({@link #leaseForChildren}): the
 *       binding is then an object that the threads started there can watch, and it is marked ended when its scope
 *       closes;</li>
 *   <li>a {@link Leased}: a binding this thread inherited from the thread that started it. It holds only while the
 *       binding it was started from is open (SPEC 5.5: a thread that outlives the request, a poller, a
 *       connection's reader started lazily in a request, never sends that request's Root afterwards). When
 *       {@link #current} finds it ended, it unbinds it, with its MDC, there and then.</li>
 * </ul>
 * Whatever saves and restores a binding keeps the raw object ({@link #raw}, {@link #restore}) so that a
 * {@code Bound} is never replaced by its bare value.
 */
public final class Context {

    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    private Context() {
    }

    /** The value bound to this thread, or null. */
    public static String current() {
        Object bound = CURRENT.get();
        if (bound == null || bound instanceof String) {
            return (String) bound;
        }
        return ((Bound) bound).valueHere();
    }

    /**
     * Binds {@code value} (null: none) to this thread until the returned scope is closed, which restores
     * whatever was bound before. Close it on the same thread, in a finally block or try-with-resources.
     */
    public static Scope bind(String value) {
        Object previous = CURRENT.get();
        CURRENT.set(value);
        return new Scope(previous);
    }

    /**
     * What this thread holds, as it is (see the class comment), to give back to {@link #restore}; an inherited
     * binding found ended is unbound first.
     */
    static Object raw() {
        Object bound = CURRENT.get();
        if (bound == null || bound instanceof String) {
            return bound;
        }
        current(); // unbinds what no longer holds
        return CURRENT.get();
    }

    /** The value of {@code raw} (what {@link #raw} returned), without checking that a leased one still holds. */
    static String valueOf(Object raw) {
        return raw == null || raw instanceof String ? (String) raw : ((Bound) raw).value;
    }

    /**
     * Sets the value; null unbinds. The thread's entry is kept with a null value rather than removed: a removed
     * entry is made again (a weak reference) by the next bind or read, and a pooled thread binds and unbinds once
     * per task or request. A null value holds nothing.
     */
    static void set(String value) {
        CURRENT.set(value);
    }

    /**
     * Ends the binding this thread holds and restores {@code previous} (what {@link #raw} returned before it was
     * made): threads started from within the ending binding lose what they inherited of it.
     */
    static void restore(Object previous) {
        Object ending = CURRENT.get();
        if (ending == previous) {
            return; // nothing was bound over it (a task that ran where its context was bound already)
        }
        if (ending != null && !(ending instanceof String) && !((Bound) ending).kept) {
            ((Bound) ending).ended = true;
        }
        CURRENT.set(previous);
    }

    /**
     * For a request that goes on after its handler returns (a servlet that went asynchronous): the binding that
     * threads started here last for is kept open when this thread's binding ends, until {@link #endKept}. Returns
     * it, or null where no thread was started from this binding (nothing to keep).
     */
    static Object keepForLater() {
        Object bound = CURRENT.get();
        if (bound instanceof Bound && !(bound instanceof Leased)) {
            ((Bound) bound).kept = true;
            return bound;
        }
        return null;
    }

    /** True when a thread was started from this thread's binding (it is a {@link Bound} of its own). */
    static boolean leaseMade() {
        Object bound = CURRENT.get();
        return bound instanceof Bound && !(bound instanceof Leased);
    }

    /** Ends a binding kept by {@link #keepForLater}: the threads started from it lose what they inherited. */
    static void endKept(Object kept) {
        if (kept instanceof Bound) {
            ((Bound) kept).ended = true;
        }
    }

    /**
     * The binding that threads started here last for: the {@link Bound} this thread holds, made from its bare value
     * the first time, or, where this thread inherited its binding, the binding that one lasts for. Null when
     * nothing is bound.
     */
    static Bound leaseForChildren() {
        Object bound = CURRENT.get();
        if (bound == null) {
            return null;
        }
        if (bound instanceof String) {
            Bound made = new Bound((String) bound, null);
            CURRENT.set(made);
            return made;
        }
        Bound b = (Bound) bound;
        if (!b.holds()) {
            b.valueHere(); // unbinds it; what was under it may still be a binding to lease
            return leaseForChildren();
        }
        // a thread started by a thread that inherited its binding shares that binding's lease: it holds while the
        // request (or task) that the first thread was started from is open, whether or not the first thread ends
        return b instanceof Leased ? b.lease : b;
    }

    /**
     * Binds {@code value} on this thread for as long as {@code lease} (a binding of the thread that started this
     * one) is open, with {@code mdc} (what the MDC had, taken by the caller) restored when it is found ended.
     * Returns the binding, for {@link #endLeased}.
     */
    static Leased bindLeased(String value, Bound lease) {
        Leased leased = new Leased(value, lease, CURRENT.get());
        CURRENT.set(leased);
        return leased;
    }

    /** Ends a binding of {@link #bindLeased}, unless {@link #current} ended it already. */
    static void endLeased(Leased leased) {
        if (!leased.unbound) {
            leased.unbind();
        }
    }

    /** A binding that threads started within it may watch: {@link #ended} once its scope has closed. */
    static class Bound {
        final String value;
        /** The binding this one was inherited from (null: none), which must be open for this one to hold. */
        final Bound lease;
        volatile boolean ended;
        /** Not ended with its scope ({@link #keepForLater}). */
        boolean kept;

        Bound(String value, Bound lease) {
            this.value = value;
            this.lease = lease;
        }

        /** True while this binding and every one it was inherited from are open. */
        final boolean holds() {
            for (Bound b = this; b != null; b = b.lease) {
                if (b.ended) {
                    return false;
                }
            }
            return true;
        }

        /** The value, on the thread that holds this binding; a binding found ended is unbound there. */
        String valueHere() {
            return value;
        }
    }

    /** A binding inherited from the thread that started this one ({@link #bindLeased}). */
    static final class Leased extends Bound {
        final Object previous;
        Mdc.Saved mdc;
        boolean unbound;

        Leased(String value, Bound lease, Object previous) {
            super(value, lease);
            this.previous = previous;
        }

        @Override
        String valueHere() {
            if (holds()) {
                return value;
            }
            unbind();
            return current();
        }

        /** Restores what the thread had before this binding, the MDC included (on the thread that holds it). */
        void unbind() {
            unbound = true;
            ended = true;
            Mdc.Saved saved = mdc;
            mdc = null;
            Mdc.restore(saved);
            CURRENT.set(previous);
        }
    }
}

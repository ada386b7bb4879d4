package io.albtrace.core;

/**
 * The context: the {@code X-Amzn-Trace-Id} value of the request the current thread is serving (SPEC 1, 4).
 * Bound by server entry points for exactly the handler's duration; read by client advice when an outgoing
 * request has no header of its own (SPEC 5).
 */
public final class Context {

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private Context() {
    }

    /** The value bound to this thread, or null. */
    public static String current() {
        return CURRENT.get();
    }

    /**
     * Binds {@code value} (null: none) to this thread until the returned scope is closed, which restores
     * whatever was bound before. Close it on the same thread, in a finally block or try-with-resources.
     */
    public static Scope bind(String value) {
        String previous = CURRENT.get();
        set(value);
        return new Scope(previous);
    }

    /**
     * Sets the value; null unbinds. The thread's entry is kept with a null value rather than removed: a removed
     * entry is made again (a weak reference) by the next bind or read, and a pooled thread binds and unbinds once
     * per task or request. A null value holds nothing.
     */
    static void set(String value) {
        CURRENT.set(value);
    }
}

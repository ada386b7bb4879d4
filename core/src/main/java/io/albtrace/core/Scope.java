package io.albtrace.core;

/** A binding made by {@link Context#bind(String)}; closing it restores the previous context. */
public final class Scope implements AutoCloseable {

    private final Object previous;
    private final Thread owner;
    private boolean closed;

    Scope(Object previous) {
        this.previous = previous;
        this.owner = Thread.currentThread();
    }

    /** Restores the previous context. A second close does nothing; a close on another thread is refused. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            Log.warnOnce("scope-thread", "a context scope was closed on another thread than the one that opened it;"
                    + " it stays open (report this: an instrumentation is wrong)");
            return;
        }
        closed = true;
        Context.restore(previous);
    }
}

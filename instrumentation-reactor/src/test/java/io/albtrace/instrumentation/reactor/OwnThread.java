package io.albtrace.instrumentation.reactor;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A long-lived thread of the application's that runs what it is given, in order: not a JDK pool nor a Reactor
 * scheduler, so neither the executors instrumentation nor Reactor's schedule hook carries anything to it. Started
 * from its constructor (a component's own thread), so it never inherits a context. Stands for an event loop that
 * completes another request's I/O, or a library's emitter thread.
 */
final class OwnThread implements Executor, AutoCloseable {

    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;

    OwnThread(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                tasks.take().run();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs {@code task} on this thread with {@code context} bound there (null: none), as another request's code. */
    void executeIn(String context, Runnable task) {
        tasks.add(() -> {
            if (context == null) {
                task.run();
                return;
            }
            try (Scope s = Context.bind(context)) {
                task.run();
            }
        });
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}

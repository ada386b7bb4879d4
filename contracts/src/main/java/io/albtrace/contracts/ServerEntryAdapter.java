package io.albtrace.contracts;

import java.util.List;

/**
 * A server whose entry point the agent instruments, as {@link ServerEntryContract} drives it: a module's test starts
 * its server (the JDK's {@code HttpServer}, a servlet container; Netty, Vert.x, Jetty's core handlers or Undertow
 * later) on 127.0.0.1 with the contract's application behind it, and says how to look at the server's own threads.
 */
public interface ServerEntryAdapter {

    /**
     * Starts the server: every request to any path is served, on the thread and inside the entry point the server
     * serves it with, by {@link ServerEntryContract#serve(String)} with the request's path; what that returns is the
     * body of a {@code 200} response (text/plain), and what it throws the server handles as it handles an application
     * that fails (a {@code 500}, or a dropped connection).
     */
    Running start() throws Exception;

    /** A started server. */
    interface Running extends AutoCloseable {

        /** {@code http://127.0.0.1:port/path}. */
        String url(String path);

        /**
         * Called once a response was read: returns when the server is done with the request on its own threads too
         * (a servlet container's request listeners run after the response is sent).
         */
        default void settle() throws Exception {
        }

        /**
         * What the server's own request threads hold now, outside any request (each thread it can reach, or what its
         * listeners saw before and after each request since the last {@link ServerEntryContract#forget()}), each as
         * {@link ServerEntryContract#observe()} gives it: {@code context | MDC root | MDC id}.
         */
        List<String> threadsNow() throws Exception;
    }
}

package io.albtrace.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server entry point receiving a request (SPEC section 4): what server advice calls around the application's
 * handler (the JDK's {@code com.sun.net.httpserver} today; servlet containers and others reuse it).
 *
 * <pre>{@code
 * ServerEntry entry = ServerEntry.enter(firstIncomingTraceHeaderOrNull, handlerClassLoader);
 * try { handler.handle(...); } finally { if (entry != null) entry.close(); }
 * }</pre>
 *
 * <p>{@link #enter} binds the request's context ({@link TraceHeader#entry}: the incoming fields when there is
 * a valid Root, else {@code Root=<new>} and the custom fields; over {@code albtrace.max.header.bytes}, the Root
 * alone, SPEC 4.5) to the thread with {@link Context#bind}, and,
 * unless {@code albtrace.mdc.enabled=false}, puts it into the log MDC ({@link Mdc}). {@link #close} restores
 * both to what they were. Nested entry points on the same thread (a filter chain, a forward, a handler that
 * calls another) bind once, at the outermost: {@code enter} returns null while an entry is open here.
 *
 * <p>The MDC is maintained here, not by {@link Context#bind}: a bind is a cheap thread-local swap used on
 * every hop, while the MDC costs method-handle calls into the application's logging library. An instrumentation
 * that carries a context to another thread (executors) and wants the MDC there too calls {@link Mdc} itself.
 */
public class ServerEntry implements AutoCloseable {

    private static final ThreadLocal<ServerEntry> OPEN = new ThreadLocal<>();

    private final String context;
    private final Scope scope;
    private final Mdc.Saved mdc;
    private final Thread owner;
    private boolean closed;

    private ServerEntry(String context, Scope scope, Mdc.Saved mdc) {
        this.context = context;
        this.scope = scope;
        this.mdc = mdc;
        this.owner = Thread.currentThread();
    }

    /**
     * Enters a request: binds its context. Never throws.
     *
     * @param incoming  the first {@code X-Amzn-Trace-Id} value the request carries (name matched
     *                  case-insensitively), or null when it has none
     * @param appLoader the class loader of the application code about to run (the handler's), used with the
     *                  thread's context class loader to find the log MDC; may be null
     * @return the entry to close when the handler returns or throws, or null when an entry is already open on
     *         this thread (nested) or the agent failed
     */
    public static ServerEntry enter(String incoming, ClassLoader appLoader) {
        return enter(incoming, appLoader, null);
    }

    /**
     * Like {@link #enter(String, ClassLoader)}, and when {@code albtrace.response.header=true} (see
     * {@link #responseHeaderEnabled()}) also sets {@code X-Amzn-Trace-Id: Root=<root>} in
     * {@code responseHeaders}, the server's map of the response's headers (name to a mutable list of values, as
     * {@code com.sun.net.httpserver.Headers}; may be null). A failure to set the response header (an unmodifiable
     * map) is reported once and changes nothing else: the entry is open all the same. Never throws.
     */
    public static ServerEntry enter(String incoming, ClassLoader appLoader,
            Map<String, List<String>> responseHeaders) {
        return enter(incoming, appLoader, responseHeaders, false);
    }

    /**
     * Like {@link #enter(String, ClassLoader, Map)}; with {@code newRequest} (the request's first entry: not an
     * asynchronous servlet's later dispatch) and the hop log on ({@link HopLog#on}), the entry also makes the
     * request's {@code in} line (SPEC 8): the server advice then gives what the request is ({@link #request}) and how
     * it ended ({@link #finish}). Never throws.
     */
    public static ServerEntry enter(String incoming, ClassLoader appLoader,
            Map<String, List<String>> responseHeaders, boolean newRequest) {
        Scope scope = null;
        Mdc.Saved mdc = null;
        ServerEntry entry = null;
        try {
            if (OPEN.get() != null) {
                return null;
            }
            Config config = Config.current();
            String context = TraceHeader.entry(incoming, config.maxHeaderBytes());
            scope = Context.bind(context);
            if (config.mdcEnabled()) {
                mdc = Mdc.put(context, appLoader, Thread.currentThread().getContextClassLoader());
            }
            entry = newRequest && config.hoplog() != null ? new Hop(context, scope, mdc, incoming)
                    : new ServerEntry(context, scope, mdc);
            OPEN.set(entry);
            if (responseHeaders != null) {
                entry.respond(responseHeaders);
            }
            if (config.debug()) {
                Log.warn("debug: server entry [" + Log.value(incoming) + "] -> context [" + Log.value(context) + "]");
            }
            return entry;
        } catch (Throwable e) {
            // whatever was bound before the failure is undone: nothing stays on a pooled thread
            if (entry != null) {
                entry.close();
            } else {
                undo(scope, mdc);
            }
            Log.adviceFailed(e, "server-entry");
            return null;
        }
    }

    /**
     * Binds again the context of a request entered earlier ({@code context}, what that entry's {@link #context()}
     * gave), with the MDC, as an entry of its own: for a server that runs one request's code in several turns on a
     * thread shared by many requests (an event loop reading a request's body after its head). Nothing is parsed or
     * made new, and no hop log line: that is the first entry's. Null when {@code context} is null, an entry is open
     * on this thread already (nested), or the agent failed. Close it as any entry. Never throws.
     */
    public static ServerEntry resume(String context, ClassLoader appLoader) {
        Scope scope = null;
        Mdc.Saved mdc = null;
        try {
            if (context == null || OPEN.get() != null) {
                return null;
            }
            scope = Context.bind(context);
            if (Config.current().mdcEnabled()) {
                mdc = Mdc.put(context, appLoader, Thread.currentThread().getContextClassLoader());
            }
            ServerEntry entry = new ServerEntry(context, scope, mdc);
            OPEN.set(entry);
            return entry;
        } catch (Throwable e) {
            undo(scope, mdc);
            Log.adviceFailed(e, "server-entry");
            return null;
        }
    }

    private static void undo(Scope scope, Mdc.Saved mdc) {
        try {
            Mdc.restore(mdc);
        } catch (Throwable ignored) {
            // Mdc.restore does not throw
        }
        try {
            if (scope != null) {
                scope.close();
            }
        } catch (Throwable ignored) {
            // Scope.close does not throw
        }
    }

    /** True when {@code albtrace.response.header=true}: server advice then passes the response's headers. */
    public static boolean responseHeaderEnabled() {
        try {
            return Config.current().responseHeader();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Sets the response header, guarded: a failure is reported once. */
    private void respond(Map<String, List<String>> responseHeaders) {
        try {
            String value = responseHeader();
            if (value != null) {
                List<String> values = new ArrayList<>(1);
                values.add(value);
                responseHeaders.put(TraceHeader.NAME, values);
            }
        } catch (Throwable e) {
            Log.warnOnce("server-entry-response-header", "could not set " + TraceHeader.NAME + " on a response"
                    + " (said once); the request goes ahead without it: " + e);
        }
    }

    /**
     * For a request that goes on after the handler returns (a servlet that went asynchronous), called before
     * {@link #close}: the threads the handler started keep the request's context after this entry closes, until
     * {@link Context#endKept} (the request completes). Returns what to end then, or null where the handler
     * started no thread. Never throws. ({@link AsyncContexts#keepForAsync} does this for servlets.)
     */
    public Object keepForAsync() {
        try {
            return Thread.currentThread() == owner && !closed ? Context.keepForLater() : null;
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * True when the handler started a thread that inherited this entry's context (only then is there anything for
     * {@link #keepForAsync} to keep). Never throws.
     */
    public boolean startedThreads() {
        try {
            return Thread.currentThread() == owner && !closed && Context.leaseMade();
        } catch (Throwable e) {
            return false;
        }
    }

    /** True when this entry makes a hop log line: {@link #request} and {@link #finish} are then wanted. */
    public boolean logsHop() {
        return false;
    }

    /**
     * What the request is, for its hop log line: its method, host (the {@code Host} header or the server's name as
     * the server gives it; {@code port} is added when it has none) and path (without the query string). Does nothing
     * unless {@link #logsHop}. Never throws.
     */
    public void request(String method, String host, int port, String path) {
    }

    /**
     * The request is over (its response sent, or its handler failed): its hop log line is queued, with
     * {@code status} (negative: no response) and the time since {@link #enter}. Call it once, on any thread, after
     * {@link #close} or instead of it on another thread (an asynchronous request's completion); later calls do
     * nothing. Does nothing unless {@link #logsHop}. Never throws.
     */
    public void finish(int status) {
    }

    /** True while an entry is open on this thread. */
    public static boolean inside() {
        return OPEN.get() != null;
    }

    /** The context this entry bound. */
    public String context() {
        return context;
    }

    /**
     * The response header value {@code Root=<root>} when {@code albtrace.response.header=true}, else null
     * (SPEC 6). The server advice sets it on the response before the handler runs.
     */
    public String responseHeader() {
        if (!Config.current().responseHeader()) {
            return null;
        }
        String root = TraceHeader.root(context);
        return root == null ? null : "Root=".concat(root);
    }

    /**
     * Leaves the request: the MDC and the context are restored to what they were before {@link #enter}. Call it
     * on the thread that entered, when the handler returns or throws. A second call does nothing. Never throws.
     */
    @Override
    public void close() {
        try {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                Log.warnOnce("server-entry-thread", "a server entry was closed on another thread than the one that"
                        + " entered it; it stays open (report this: an instrumentation is wrong)");
                return;
            }
            closed = true;
            if (OPEN.get() == this) {
                OPEN.set(null); // not remove(): the next request's set would allocate the thread's map entry again
            }
            Mdc.restore(mdc);
            scope.close();
        } catch (Throwable e) {
            Log.adviceFailed(e, "server-entry");
        }
    }

    /** An entry that makes the request's {@code in} line of the hop log (SPEC 8). */
    static final class Hop extends ServerEntry implements HopLog.Line {

        private static final java.lang.invoke.VarHandle FINISHED;

        static {
            try {
                FINISHED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Hop.class, "finished", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final String incoming;
        private final long startMillis = System.currentTimeMillis();
        private final long startNanos = System.nanoTime();
        private String method;
        private String host;
        private int port;
        private String path;
        private int status = -1;
        private long nanos;
        @SuppressWarnings("unused") // through FINISHED
        private volatile int finished;

        Hop(String context, Scope scope, Mdc.Saved mdc, String incoming) {
            super(context, scope, mdc);
            this.incoming = incoming;
        }

        @Override
        public boolean logsHop() {
            return true;
        }

        @Override
        public void request(String method, String host, int port, String path) {
            this.method = method;
            this.host = host;
            this.port = port;
            this.path = path;
        }

        @Override
        public void finish(int status) {
            try {
                if (FINISHED.compareAndSet(this, 0, 1)) {
                    this.nanos = System.nanoTime() - startNanos;
                    this.status = status;
                    HopLog.submit(this); // the queue's lock publishes the fields to the writer
                }
            } catch (Throwable e) {
                Log.adviceFailed(e, "hoplog");
            }
        }

        @Override
        public void appendTo(StringBuilder out, String svc) {
            out.append('{');
            HopLog.timestamp(out, startMillis);
            out.append(",\"dir\":\"in\"");
            HopLog.field(out, "svc", svc);
            HopLog.field(out, "root", TraceHeader.root(context()));
            HopLog.field(out, "self", TraceHeader.self(incoming));
            HopLog.field(out, "method", method);
            HopLog.field(out, "host", hostAndPort(host, port));
            HopLog.field(out, "path", path);
            if (status >= 0) {
                out.append(",\"status\":").append(status);
            }
            HopLog.millis(out, nanos);
            HopLog.field(out, "trace", incoming);
            out.append('}');
        }
    }

    /** {@code host:port}: {@code host} as it is when it has a port, else with {@code port}; null when no host. */
    static String hostAndPort(String host, int port) {
        if (host == null || host.isEmpty()) {
            return port > 0 ? ":" + port : null;
        }
        boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.indexOf(':') >= 0;
        return hasPort || port <= 0 ? host : host + ":" + port;
    }
}

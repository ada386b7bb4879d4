package io.albtrace.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.net.URL;
import java.util.function.BiConsumer;

/**
 * The {@code out} line of the hop log (SPEC 8) for one logical outgoing request: the first send and whatever the
 * client derives from it on its own (redirects, authentication follow-ups, retries), with the final status.
 *
 * <p>Client advice, where the application's call starts (on the thread that makes it):
 * <pre>{@code
 * OutgoingHop hop = OutgoingHop.begin(method, uriOrUrl);   // null when the hop log is off
 * try { ...send... } finally { if (hop != null) hop.end(); }  // on the same thread
 * hop.finish(status);                                     // once the response or the failure is known, any thread
 * }</pre>
 * While the hop is begun on a thread, the value {@link Outgoing#header} forwards there is the hop's {@code trace}
 * ({@link #forwarded}); advice that sees the header another way gives it with {@link #sent}. The line's
 * {@code parent} comes from the context captured by {@link #begin}: its {@code Self}, {@code ""} without one, and
 * no {@code parent} outside any context.
 *
 * <p>The request's thread does only this: one object, two clock readings and a thread-local swap; the host, the
 * path and the fields are worked out on the writer's thread ({@link #appendTo}). Never throws.
 */
public final class OutgoingHop implements HopLog.Line, BiConsumer<Object, Throwable> {

    private static final ThreadLocal<OutgoingHop> CURRENT = new ThreadLocal<>();
    private static final VarHandle FINISHED;
    /** {@code java.net.http.HttpResponse#statusCode}, found with the first response (core cannot name it). */
    private static volatile MethodHandle statusCode;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(OutgoingHop.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String context;
    private String method;
    /**
     * A {@link URI}, a {@link URL} or anything whose {@code toString()} is an absolute URL; read by the writer. Null
     * when the URL is given in parts: {@link #scheme}, {@link #host}, {@link #port} and {@link #path}.
     */
    private final Object url;
    private String scheme;
    private String host;
    private int port = -1;
    /** The path, with its query if it has one (the writer leaves the query out). */
    private String path;
    private final OutgoingHop previous;
    private long startMillis = System.currentTimeMillis();
    private long startNanos = System.nanoTime();
    private volatile String trace;
    /** What the client's advice keeps with the hop (the request's own state, to read its status from); or null. */
    private volatile Object attachment;
    private int status = -1;
    private long nanos;
    @SuppressWarnings("unused") // through FINISHED
    private volatile int finished;

    private OutgoingHop(String context, String method, Object url, OutgoingHop previous) {
        this.context = context;
        this.method = method;
        this.url = url;
        this.previous = previous;
    }

    /**
     * Begins the hop of a call made on this thread, with this thread's context, or returns null when the hop log is
     * off (or the agent failed). {@link #end} it on the same thread; hops nest.
     *
     * @param method the request's method
     * @param url    the request's absolute URL: a {@link URI}, a {@link URL}, or an object whose {@code toString()}
     *               is one (read later, on the writer's thread: it must not change)
     */
    public static OutgoingHop begin(String method, Object url) {
        try {
            if (Config.current().hoplog() == null) {
                return null;
            }
            OutgoingHop hop = new OutgoingHop(Context.current(), method, url, CURRENT.get());
            CURRENT.set(hop);
            return hop;
        } catch (Throwable e) {
            Log.adviceFailed(e, "hoplog");
            return null;
        }
    }

    /**
     * {@link #begin(String, Object)} for a client that has the URL in parts (a target host and a request path):
     * {@code scheme} ({@code http} or {@code https}), {@code host}, {@code port} (negative: the scheme's) and
     * {@code path} (with the query string, which is left out of the line; a request target in absolute form is
     * read as a URL).
     */
    public static OutgoingHop begin(String method, String scheme, String host, int port, String path) {
        OutgoingHop hop = begin(method, null);
        if (hop != null) {
            hop.scheme = scheme;
            hop.host = host;
            hop.port = port;
            hop.path = path;
        }
        return hop;
    }

    /**
     * A hop for a call whose context was captured elsewhere (where the call was made, {@code context}), begun on no
     * thread: the sender gives the header with {@link #sent}. Null when the hop log is off.
     */
    public static OutgoingHop of(String context, String method, Object url) {
        try {
            return Config.current().hoplog() == null ? null : new OutgoingHop(context, method, url, null);
        } catch (Throwable e) {
            Log.adviceFailed(e, "hoplog");
            return null;
        }
    }

    /**
     * The request starts now (a call made earlier, queued, is executed): the line's {@code ts} and {@code ms} count
     * from here. Call it before the request is sent, on the thread that sends it.
     */
    public void start() {
        startMillis = System.currentTimeMillis();
        startNanos = System.nanoTime();
    }

    /**
     * What the request is, for a hop made before the request was known ({@link #of} with a null method): its first
     * send gives it; later calls do nothing. The URL in parts, as {@link #begin(String, String, String, int, String)}
     * takes it. Call it on the thread that sends, before {@link #finish}.
     */
    public void request(String method, String scheme, String host, int port, String path) {
        if (this.method == null && url == null) {
            this.method = method;
            this.scheme = scheme;
            this.host = host;
            this.port = port;
            this.path = path;
        }
    }

    /** Keeps {@code value} with the hop for the client's advice ({@link #attachment()}). */
    public void attach(Object value) {
        attachment = value;
    }

    /** What {@link #attach} kept, or null. */
    public Object attachment() {
        return attachment;
    }

    /** The hop begun on this thread and not yet ended, or null. */
    public static OutgoingHop current() {
        return CURRENT.get();
    }

    /** Ends the hop's time on this thread (not the hop: see {@link #finish}). Never throws. */
    public void end() {
        CURRENT.set(previous);
    }

    /** {@link Outgoing#header} forwarded {@code value} on this thread: the trace of the hop begun here, if any. */
    static void forwarded(String value) {
        OutgoingHop hop = CURRENT.get();
        if (hop != null) {
            hop.sent(value);
        }
    }

    /** The header the hop sent; the first one given counts (a redirect sends the same). */
    public void sent(String value) {
        if (trace == null) {
            trace = value;
        }
    }

    /**
     * Headers the size rule cut where the request's headers were final ({@link Outgoing#onWire}), often on another
     * thread than the hop's and after {@link #sent}: the value the hop recorded to the value that went on the wire.
     * A forwarded value has a Self of its own, so the value names its call. Rare (over 7 KB of headers), so a lock;
     * bounded, for a cut whose hop never writes its line.
     */
    private static final java.util.LinkedHashMap<String, String> CUTS = new java.util.LinkedHashMap<String, String>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
            return size() > 256;
        }
    };
    /** Whether {@link #CUTS} may hold anything: the writer looks no further while it is false. */
    private static volatile boolean cutsPending;

    /** The size rule cut {@code recorded}, a forwarded value, to {@code onWire}: the line shows {@code onWire}. */
    static void cut(String recorded, String onWire) {
        if (recorded == null) {
            return;
        }
        synchronized (CUTS) {
            CUTS.put(recorded, onWire);
            cutsPending = true;
        }
    }

    /** The value that went on the wire for the recorded {@code value}: the cut one, else {@code value}. */
    private static String asSent(String value) {
        if (value == null || !cutsPending) {
            return value;
        }
        synchronized (CUTS) {
            String cut = CUTS.remove(value);
            cutsPending = !CUTS.isEmpty();
            return cut != null ? cut : value;
        }
    }

    /** The header given to {@link #sent}, or null. */
    public String trace() {
        return trace;
    }

    /**
     * The request is over: its final {@code status} (negative: no response came). The first call queues the line;
     * later ones do nothing. Never throws.
     */
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

    /**
     * The completion of an asynchronous call ({@code CompletableFuture.whenComplete(hop)}): a
     * {@code java.net.http.HttpResponse}'s status, or no status on a failure.
     */
    @Override
    public void accept(Object response, Throwable failure) {
        int s = -1;
        try {
            if (response != null && failure == null) {
                MethodHandle h = statusCode;
                if (h == null) {
                    Class<?> type = Class.forName("java.net.http.HttpResponse", false,
                            response.getClass().getClassLoader());
                    h = MethodHandles.publicLookup().findVirtual(type, "statusCode", MethodType.methodType(int.class))
                            .asType(MethodType.methodType(int.class, Object.class));
                    statusCode = h;
                }
                s = (int) h.invokeExact(response);
            }
        } catch (Throwable e) {
            Log.warnOnce("hoplog-status", "hop log: the status of a response could not be read (said once): " + e);
        }
        finish(s);
    }

    /**
     * The status of an HTTP/1.x status line ({@code HTTP/1.1 200 OK}): its second token, three digits; -1 when
     * {@code line} is null or not a status line. Allocates nothing.
     */
    public static int status(String line) {
        if (line == null || !line.startsWith("HTTP/")) {
            return -1;
        }
        int i = line.indexOf(' ');
        while (i >= 0 && i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        if (i < 0 || i + 3 > line.length() || (i + 3 < line.length() && line.charAt(i + 3) != ' ')) {
            return -1;
        }
        int s = 0;
        for (int k = i; k < i + 3; k++) {
            char c = line.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            s = s * 10 + (c - '0');
        }
        return s;
    }

    @Override
    public String toString() {
        return "albtrace hop " + method; // where a library prints what it holds (a request's tags)
    }

    @Override
    public void appendTo(StringBuilder out, String svc) {
        out.append('{');
        HopLog.timestamp(out, startMillis);
        out.append(",\"dir\":\"out\"");
        HopLog.field(out, "svc", svc);
        String t = asSent(trace);
        HopLog.field(out, "root", TraceHeader.root(t));
        HopLog.field(out, "self", TraceHeader.self(t));
        if (context != null) {
            String parent = TraceHeader.self(context);
            HopLog.field(out, "parent", parent == null ? "" : parent);
        }
        HopLog.field(out, "method", method);
        String[] hostPath = url != null ? hostAndPath(url) : hostAndPath(scheme, host, port, path);
        HopLog.field(out, "host", hostPath[0]);
        HopLog.field(out, "path", hostPath[1]);
        if (status >= 0) {
            out.append(",\"status\":").append(status);
        }
        HopLog.millis(out, nanos);
        HopLog.field(out, "trace", t);
        out.append('}');
    }

    /** {@link #hostAndPath(Object)} of a URL in parts (see {@link #begin(String, String, String, int, String)}). */
    static String[] hostAndPath(String scheme, String host, int port, String path) {
        if (path != null && path.indexOf("://") > 0 && !path.startsWith("/")) {
            return hostAndPath(path); // a request target in absolute form (through a proxy)
        }
        if (port < 0) {
            port = "https".equalsIgnoreCase(scheme) ? 443 : 80;
        }
        if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String p = path == null ? "" : path;
        int cut = p.length();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '?' || c == '#') {
                cut = i;
                break;
            }
        }
        p = p.substring(0, cut);
        return new String[] {host == null ? null : host + ":" + port, p.isEmpty() ? "/" : p};
    }

    /** {@code host:port} (the scheme's port when the URL has none) and the path without the query, of {@code url}. */
    static String[] hostAndPath(Object url) {
        String host;
        int port;
        String path;
        String scheme;
        if (url instanceof URI) {
            URI u = (URI) url;
            scheme = u.getScheme();
            host = u.getHost();
            port = u.getPort();
            path = u.getRawPath();
        } else if (url instanceof URL) {
            URL u = (URL) url;
            scheme = u.getProtocol();
            host = u.getHost();
            port = u.getPort();
            path = u.getPath();
        } else {
            URI u = URI.create(String.valueOf(url));
            scheme = u.getScheme();
            host = u.getHost();
            port = u.getPort();
            path = u.getRawPath();
        }
        if (port < 0) {
            port = "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? 443 : 80;
        }
        if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return new String[] {host == null ? null : host + ":" + port,
            path == null || path.isEmpty() ? "/" : path};
    }
}

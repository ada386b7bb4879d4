package io.albtrace.core;

/**
 * One logical outgoing request of a client that sends it several times on its own: the first send, and the
 * redirects, authentication follow-ups and retries it derives from it (Apache HttpClient builds each of these
 * as a new request object, some without the application's headers). The trace header is forwarded once, on the
 * first send, from the application's own header on that send or else from the context captured where the
 * call was made (SPEC 5); every later send of the same call carries that same value (SPEC 3).
 *
 * <p>Advice finds the call in one of two ways, both library-neutral:
 * <ul>
 *   <li>a synchronous client: {@link #begin()} where the application's call starts and {@link #end()} where it
 *       returns, on the calling thread; the connection that writes each send, on the same thread, asks
 *       {@link #onClassicWire(String, String, long)};</li>
 *   <li>an asynchronous client: {@link #capture()} on the calling thread, kept with the request's own state
 *       (for HttpClient 5 its {@code HttpContext}, under {@link #ATTRIBUTE}); each send asks
 *       {@link #forward(String)} on whatever thread sends it, and the writer applies {@link #limit(String, long)}.</li>
 * </ul>
 * Never throws for the arguments advice passes; a failure of the engine itself reaches the advice's handler.
 *
 * <p>A logical call is one entry into the instrumented client ({@code doExecute}, {@code execute}): only what the
 * client derives inside that entry shares the value. Code that calls the client's {@code execute} again to
 * retry, such as HttpClient 4's deprecated {@code AutoRetryHttpClient} or an application's own retry loop,
 * starts a new call each time, so each such retry gets its own {@code Self}: it is forwarded again from the
 * same header or context, so it keeps their {@code Root}, and without either gets a new one. A call begun on a
 * thread where another is open (an interceptor that makes a request of its own, say) is likewise a new call:
 * calls nest, they do not share.
 */
public final class OutgoingCall {

    /** The attribute name under which asynchronous advice keeps the call with the request's state. */
    public static final String ATTRIBUTE = "io.albtrace.core.OutgoingCall";

    private static final ThreadLocal<OutgoingCall> CURRENT = new ThreadLocal<>();

    /** The context where the call was made, or null. */
    private final String context;
    /** The call that was current on this thread before {@link #begin()}; unused for captured calls. */
    private final OutgoingCall previous;
    /** The forwarded value, once the first send has asked for it. */
    private volatile String value;
    /** The call's hop log line, when it is kept with the call rather than begun on a thread; or null. */
    private volatile OutgoingHop hop;

    private OutgoingCall(String context, OutgoingCall previous) {
        this.context = context;
        this.previous = previous;
    }

    /**
     * Starts a call on this thread, with this thread's context; it is {@link #current()} until {@link #end()},
     * which must be called on the same thread (in the exit advice, also on an exception). Calls nest.
     */
    public static OutgoingCall begin() {
        OutgoingCall call = new OutgoingCall(Context.current(), CURRENT.get());
        CURRENT.set(call);
        return call;
    }

    /** Ends this call: the call that was current before {@link #begin()}, usually none, is current again. */
    public void end() {
        CURRENT.set(previous); // not remove(): the next call's set would allocate the thread's map entry again
    }

    /** The call begun on this thread and not yet ended, or null. */
    public static OutgoingCall current() {
        return CURRENT.get();
    }

    /**
     * Makes {@code call}, a captured call, the current one on this thread while code that sends it runs there (Reactor
     * Netty's connection observers, on an event loop: the codec that writes each send asks {@link #current()});
     * returns the call that was current, for {@link #restore}.
     */
    public static OutgoingCall enter(OutgoingCall call) {
        OutgoingCall previous = CURRENT.get();
        CURRENT.set(call);
        return previous;
    }

    /** Makes {@code previous}, what {@link #enter} returned, the current call again. */
    public static void restore(OutgoingCall previous) {
        CURRENT.set(previous);
    }

    /** A call made on this thread, with its context, to be kept with the request and sent from any thread. */
    public static OutgoingCall capture() {
        return new OutgoingCall(Context.current(), null);
    }

    /**
     * Keeps the call's hop log line with it (an asynchronous call: {@link OutgoingHop#of}); its trace is the value
     * {@link #forward} gives first. Without one, the value goes to the hop begun on the forwarding thread, if any.
     */
    public void hop(OutgoingHop hop) {
        this.hop = hop;
    }

    /** The hop kept with the call ({@link #hop(OutgoingHop)}), or null. */
    public OutgoingHop hop() {
        return hop;
    }

    /** The context captured when the call was made, or null. */
    public String context() {
        return context;
    }

    /**
     * The trace header for a send of this call (SPEC 3, 5), without the size rule: on the first send, forwarded
     * from {@code own} (the first trace header on that send, or null) or else the captured context; every
     * later send, whatever it carries, gets that same value. A header another tracing agent wrote on the send is
     * not the application's: see {@link OtherAgents}.
     */
    public String forward(String own) {
        String v = value;
        if (v == null) {
            String incoming = own != null ? OtherAgents.forwardFrom(own, context) : context;
            Config config = Config.current();
            v = TraceHeader.forward(incoming, 0, config.maxHeaderBytes());
            if (config.debug()) {
                Log.warn("debug: forward " + Outgoing.describe(own, incoming) + " [" + Log.value(incoming) + "] -> ["
                        + Log.value(v) + "]");
            }
            value = v;
            if (config.hoplog() != null) {
                OutgoingHop h = hop;
                if (h != null) {
                    h.sent(v);
                } else {
                    OutgoingHop.forwarded(v);
                }
            }
        }
        return v;
    }

    /**
     * What a synchronous client's connection writes as the trace header of a request about to go on the wire,
     * or null to leave the request as it is.
     *
     * <p>Inside a call begun on this thread: the call's value ({@link #forward(String)}), with the size rule
     * over all the request's headers. Outside any call, and for a proxy's {@code CONNECT}: the size rule alone,
     * on the trace header the request already has ({@link #limit(String, long)}).
     *
     * @param method           the request's method
     * @param own              the first trace header on the request, or null
     * @param otherHeaderBytes the request's other headers (trace headers excluded), each {@code name: value\r\n}
     */
    public static String onClassicWire(String method, String own, long otherHeaderBytes) {
        OutgoingCall call = CURRENT.get();
        if (call == null || "CONNECT".equalsIgnoreCase(method)) {
            return limit(own, otherHeaderBytes);
        }
        String v = call.forward(own);
        return Outgoing.onWire(v, otherHeaderBytes + TraceHeader.lineBytes(TraceHeader.NAME, v));
    }

    /**
     * The size rule alone, where a request's headers are final (SPEC 3): {@code own} itself, or
     * {@code Root=<root>} when all headers together are over the bound; null when there is no trace header.
     *
     * @param own              the first trace header on the request, or null
     * @param otherHeaderBytes the request's other headers (trace headers excluded), each {@code name: value\r\n}
     */
    public static String limit(String own, long otherHeaderBytes) {
        if (own == null) {
            return null;
        }
        return Outgoing.onWire(own, otherHeaderBytes + TraceHeader.lineBytes(TraceHeader.NAME, own));
    }
}

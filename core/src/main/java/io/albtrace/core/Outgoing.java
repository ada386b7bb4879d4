package io.albtrace.core;

/** What client advice calls: the header an outgoing request leaves with (SPEC sections 3 and 5). */
public final class Outgoing {

    private Outgoing() {
    }

    /**
     * The {@code X-Amzn-Trace-Id} value to write on an outgoing request.
     *
     * @param own              the first trace header the application set on the request, or null
     * @param otherHeaderBytes the request's other headers, each counted as {@code name: value\r\n}
     */
    public static String header(String own, int otherHeaderBytes) {
        String incoming = own != null ? own : Context.current();
        Config config = Config.current();
        String out = TraceHeader.forward(incoming, otherHeaderBytes, config.maxHeaderBytes());
        if (config.debug()) {
            Log.warn("debug: forward " + (own != null ? "application header" : incoming != null ? "context" : "no header")
                    + " [" + (incoming == null ? "" : incoming) + "] -> [" + out + "]");
        }
        return out;
    }

    /**
     * The trace header to write once a request's headers are final (the client adds its own late): the value
     * as it is, or cut to {@code Root=<root>} when all headers together, {@code allHeaderBytes}, are over the
     * bound. The same instance is returned when nothing changes.
     */
    public static String onWire(String trace, long allHeaderBytes) {
        Config config = Config.current();
        String out = TraceHeader.limit(trace, allHeaderBytes, config.maxHeaderBytes());
        if (out != trace && config.debug()) {
            Log.warn("debug: size rule on the wire (" + allHeaderBytes + " bytes of headers) [" + trace + "] -> [" + out
                    + "]");
        }
        return out;
    }
}

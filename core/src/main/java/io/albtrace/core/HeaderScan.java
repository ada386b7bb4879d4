package io.albtrace.core;

/**
 * One pass over an outgoing request's headers, as every client's advice needs it before it writes the trace
 * header (SPEC 3): the first {@code X-Amzn-Trace-Id} value (the application's, or the one forwarded earlier), how
 * many copies there are, and the bytes of the other headers for the size rule, each counted as
 * {@code name: value\r\n}.
 *
 * <p>The advice still walks the headers itself and hands each to {@link #add}: each library keeps them in its own
 * type ({@code Header[]}, OkHttp's {@code Headers}, the JDK's {@code MessageHeader}), which {@code core} cannot
 * name (it is loaded by the bootstrap loader and depends on no library). A scan is one small object that does not
 * leave the advice, so the JIT can keep its fields in registers.
 */
public final class HeaderScan {

    private final boolean http2;
    private String first;
    private int copies;
    private long otherBytes;
    private long traceBytes;

    private HeaderScan(boolean http2) {
        this.http2 = http2;
    }

    /** A scan of headers that go out as HTTP/1.1 header lines: every header counts. */
    public static HeaderScan http1() {
        return new HeaderScan(false);
    }

    /**
     * A scan of headers that go out on an HTTP/2 stream: the connection-specific headers the client leaves out
     * there ({@link #sentOnHttp2}) count for nothing, and {@code Host} is sent as {@code :authority}, which
     * counts no more than the {@code Host} line it replaces, so it is left out too.
     */
    public static HeaderScan http2() {
        return new HeaderScan(true);
    }

    /** A scan for HTTP/2 when {@code http2}, else HTTP/1.1. */
    public static HeaderScan of(boolean http2) {
        return new HeaderScan(http2);
    }

    /** Counts one header; a null name (a status or request line some libraries keep among the headers) is skipped. */
    public HeaderScan add(String name, String value) {
        if (name == null || http2 && !sentOnHttp2(name, value)) {
            return this;
        }
        int bytes = TraceHeader.lineBytes(name, value);
        if (TraceHeader.NAME.equalsIgnoreCase(name)) {
            if (copies++ == 0) {
                first = value;
            }
            traceBytes += bytes;
        } else {
            otherBytes += bytes;
        }
        return this;
    }

    /** The first trace header's value, or null when the request has none. */
    public String first() {
        return first;
    }

    /** How many trace headers the request has. */
    public int copies() {
        return copies;
    }

    /** The bytes of every header but the trace header. */
    public long otherBytes() {
        return otherBytes;
    }

    /** The bytes of every header, the trace header's copies included. */
    public long allBytes() {
        return otherBytes + traceBytes;
    }

    /**
     * Whether a client sends this header on an HTTP/2 stream: the connection-specific headers of RFC 9113 section
     * 8.2.2 ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding},
     * {@code Upgrade}, and {@code TE} other than {@code trailers}), OkHttp's {@code Encoding}, and {@code Host}
     * (sent as {@code :authority}) are not.
     */
    public static boolean sentOnHttp2(String name, String value) {
        switch (name.length()) {
            case 2:
                return !name.equalsIgnoreCase("TE") || "trailers".equals(value);
            case 4:
                return !name.equalsIgnoreCase("Host");
            case 7:
                return !name.equalsIgnoreCase("Upgrade");
            case 8:
                return !name.equalsIgnoreCase("Encoding");
            case 10:
                return !(name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Keep-Alive"));
            case 16:
                return !name.equalsIgnoreCase("Proxy-Connection");
            case 17:
                return !name.equalsIgnoreCase("Transfer-Encoding");
            default:
                return true;
        }
    }
}

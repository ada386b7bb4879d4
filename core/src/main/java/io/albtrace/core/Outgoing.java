package io.albtrace.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What client advice calls: the header an outgoing request leaves with (SPEC sections 3 and 5). */
public final class Outgoing {

    private Outgoing() {
    }

    /**
     * The {@code X-Amzn-Trace-Id} value to write on an outgoing request. A header another tracing agent wrote on
     * the request is not the application's: see {@link OtherAgents}.
     *
     * @param own              the first trace header on the request (the application's), or null
     * @param otherHeaderBytes the request's other headers, each counted as {@code name: value\r\n}
     */
    public static String header(String own, int otherHeaderBytes) {
        String incoming = own != null ? OtherAgents.forwardFromCurrent(own) : Context.current();
        Config config = Config.current();
        String out = TraceHeader.forward(incoming, otherHeaderBytes, config.maxHeaderBytes());
        if (config.debug()) {
            Log.warn("debug: forward " + describe(own, incoming) + " [" + Log.value(incoming) + "] -> ["
                    + Log.value(out) + "]");
        }
        if (config.hoplog() != null) {
            OutgoingHop.forwarded(out);
        }
        return out;
    }

    /**
     * The application's header, as it is: for a client that reads it where no other agent can have written it yet
     * (OkHttp's call, made before any interceptor runs).
     */
    public static String applicationHeader(String own) {
        Config config = Config.current();
        String out = TraceHeader.forward(own, 0, config.maxHeaderBytes());
        if (config.debug()) {
            Log.warn("debug: forward application header [" + own + "] -> [" + out + "]");
        }
        return out;
    }

    /** For debug lines: where the forwarded value came from. */
    static String describe(String own, String incoming) {
        return own == null ? (incoming != null ? "context" : "no header")
                : own == incoming ? "application header" : "context with another agent's fields";
    }

    /**
     * The trace header to write once a request's headers are final (the client adds its own late): the value
     * as it is, or cut to {@code Root=<root>} when all headers together, {@code allHeaderBytes}, are over the
     * bound. The same instance is returned when nothing changes.
     */
    public static String onWire(String trace, long allHeaderBytes) {
        Config config = Config.current();
        String out = TraceHeader.limit(trace, allHeaderBytes, config.maxHeaderBytes());
        if (out != trace) {
            if (config.debug()) {
                Log.warn("debug: size rule on the wire (" + allHeaderBytes + " bytes of headers) ["
                        + Log.value(trace) + "] -> [" + Log.value(out) + "]");
            }
            if (config.hoplog() != null) {
                OutgoingHop.cut(trace, out);
            }
        }
        return out;
    }

    /**
     * A copy of {@code headers} (name to values, as the JDK's {@code HttpHeaders} has them) with every
     * {@code X-Amzn-Trace-Id} copy, any case, replaced by one {@code X-Amzn-Trace-Id: value}. The copy's names
     * are case-insensitive; names that differ only in case are merged, values in order.
     */
    public static Map<String, List<String>> withTraceHeader(Map<String, List<String>> headers, String value) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            String name = e.getKey();
            if (name == null || TraceHeader.NAME.equalsIgnoreCase(name)) {
                continue;
            }
            List<String> seen = out.get(name);
            if (seen == null) {
                out.put(name, e.getValue());
            } else {
                List<String> merged = new ArrayList<>(seen);
                merged.addAll(e.getValue());
                out.put(name, merged);
            }
        }
        out.put(TraceHeader.NAME, Collections.singletonList(value));
        return out;
    }

    /**
     * A read-only view of {@code headers} in which every {@code X-Amzn-Trace-Id} entry, any case, is replaced by
     * one {@code X-Amzn-Trace-Id: value}, last; nothing is copied. For a map whose names are already unique
     * regardless of case (the JDK's {@code HttpHeaders.map()}), to be copied once by its reader
     * ({@code HttpHeaders.of}); {@link #withTraceHeader} merges names for any other map.
     */
    public static Map<String, List<String>> replacingTraceHeader(Map<String, List<String>> headers, String value) {
        return new TraceHeaderReplaced(headers, value);
    }

    private static final class TraceHeaderReplaced extends java.util.AbstractMap<String, List<String>> {
        final Map<String, List<String>> headers;
        final Map.Entry<String, List<String>> trace;

        TraceHeaderReplaced(Map<String, List<String>> headers, String value) {
            this.headers = headers;
            this.trace = new java.util.AbstractMap.SimpleImmutableEntry<>(TraceHeader.NAME,
                    Collections.singletonList(value));
        }

        @Override
        public java.util.Set<Map.Entry<String, List<String>>> entrySet() {
            return new java.util.AbstractSet<Map.Entry<String, List<String>>>() {
                @Override
                public java.util.Iterator<Map.Entry<String, List<String>>> iterator() {
                    final java.util.Iterator<Map.Entry<String, List<String>>> it = headers.entrySet().iterator();
                    return new java.util.Iterator<Map.Entry<String, List<String>>>() {
                        Map.Entry<String, List<String>> next = advance();
                        boolean traceGiven;

                        private Map.Entry<String, List<String>> advance() {
                            while (it.hasNext()) {
                                Map.Entry<String, List<String>> e = it.next();
                                if (e.getKey() != null && !TraceHeader.NAME.equalsIgnoreCase(e.getKey())) {
                                    return e;
                                }
                            }
                            return null;
                        }

                        @Override
                        public boolean hasNext() {
                            return next != null || !traceGiven;
                        }

                        @Override
                        public Map.Entry<String, List<String>> next() {
                            if (next != null) {
                                Map.Entry<String, List<String>> e = next;
                                next = advance();
                                return e;
                            }
                            if (traceGiven) {
                                throw new java.util.NoSuchElementException();
                            }
                            traceGiven = true;
                            return trace;
                        }
                    };
                }

                @Override
                public int size() {
                    int n = 1;
                    for (String name : headers.keySet()) {
                        if (name != null && !TraceHeader.NAME.equalsIgnoreCase(name)) {
                            n++;
                        }
                    }
                    return n;
                }
            };
        }
    }

    /**
     * All the values in {@code headers} counted as header lines {@code name: value\r\n} (SPEC 3); names that
     * start with {@code :} (HTTP/2 pseudo-headers) and, when {@code except} is not null, names it contains (the
     * client drops its own header when the application set one) are not counted.
     */
    public static long headerBytes(Map<String, List<String>> headers, Map<String, List<String>> except) {
        long n = 0;
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            String name = e.getKey();
            if (name == null || name.startsWith(":") || (except != null && except.containsKey(name))) {
                continue;
            }
            List<String> values = e.getValue();
            if (values != null) {
                for (int i = 0, size = values.size(); i < size; i++) {
                    n += TraceHeader.lineBytes(name, values.get(i));
                }
            }
        }
        return n;
    }
}

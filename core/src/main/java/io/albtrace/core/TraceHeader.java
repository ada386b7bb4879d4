package io.albtrace.core;

import java.nio.charset.StandardCharsets;

/**
 * The {@code X-Amzn-Trace-Id} engine: reading a header value (SPEC section 2), forwarding it the way an
 * Application Load Balancer does (section 3) and the context a server entry point binds (sections 4.2, 4.5).
 *
 * <p>Every method is a pure function of its arguments, apart from the identifiers it makes (see {@link Ids}).
 * None of them throws, whatever the input. A call allocates the returned string and nothing else: work
 * space is a per-thread scratch buffer.
 */
public final class TraceHeader {

    /** The header's name as it is written. Read it case-insensitively. */
    public static final String NAME = "X-Amzn-Trace-Id";

    /** The load balancer's bound on all request headers together: 7 KB. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 7168;

    /** Bytes the trace header line adds around its value: {@code "X-Amzn-Trace-Id: "} and CR LF. */
    private static final int LINE_OVERHEAD = NAME.length() + 4;

    private static final int CUSTOM = 0;
    private static final int ROOT = 1;
    private static final int SELF = 2;

    /** Per ASCII character: 0 for a hex digit, either case, 1 for anything else. */
    private static final byte[] NOT_HEX = new byte[128];

    static {
        java.util.Arrays.fill(NOT_HEX, (byte) 1);
        for (char c = '0'; c <= '9'; c++) {
            NOT_HEX[c] = 0;
        }
        for (char c = 'a'; c <= 'f'; c++) {
            NOT_HEX[c] = 0;
            NOT_HEX[c - 'a' + 'A'] = 0;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<Scratch>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private TraceHeader() {
    }

    /**
     * The header value to send on an outgoing request (SPEC section 3).
     *
     * @param incoming         the header to forward: the application's own, else the context; null for none
     * @param otherHeaderBytes the request's other headers, each counted as {@code name: value\r\n}
     * @param maxHeaderBytes   the size rule's bound (7,168 unless configured)
     * @return the value to write, never null
     */
    public static String forward(String incoming, int otherHeaderBytes, int maxHeaderBytes) {
        return rewrite(incoming, false, otherHeaderBytes, maxHeaderBytes);
    }

    /** {@link #forward(String, int, int)} with the load balancer's 7 KB bound. */
    public static String forward(String incoming, int otherHeaderBytes) {
        return rewrite(incoming, false, otherHeaderBytes, DEFAULT_MAX_HEADER_BYTES);
    }

    /** {@link #entry(String, int)} with the load balancer's 7 KB bound. */
    public static String entry(String incoming) {
        return rewrite(incoming, true, 0, DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * The context a server entry point binds for a request that arrived with {@code incoming} (SPEC 4.2):
     * the fields as received when there is a valid Root, else {@code Root=<new>} and the custom fields; when that
     * value is longer than {@code maxHeaderBytes}, {@code Root=<the valid Root, or new>} alone (SPEC 4.5).
     */
    public static String entry(String incoming, int maxHeaderBytes) {
        return rewrite(incoming, true, 0, maxHeaderBytes);
    }

    /**
     * The size rule alone, for a header already forwarded, once all of a request's headers are known (SPEC 3):
     * {@code value} itself while {@code allHeaderBytes}, the trace header's own line included, is within
     * {@code maxHeaderBytes}; over it, {@code Root=<its valid Root, or new>}. Never adds a Self. Null stays null.
     */
    public static String limit(String value, long allHeaderBytes, int maxHeaderBytes) {
        if (value == null || allHeaderBytes <= maxHeaderBytes) {
            return value;
        }
        return rewrite(value, false, Integer.MAX_VALUE, 0);
    }

    /** The value of the valid Root in {@code value} ({@code 1-…-…}), or null when it has none. */
    public static String root(String value) {
        if (value == null) {
            return null;
        }
        Scratch sc = SCRATCH.get();
        parse(value, sc);
        if (!sc.validRoot) {
            return null;
        }
        int[] p = sc.parts;
        int at = sc.rootPart * 4;
        return value.substring(p[at + 1] + 1, p[at + 2]);
    }

    /**
     * The value of the first {@code Self} field in {@code value} as it would be read (SPEC section 2: a part of
     * visible ASCII), or null when it has none; whatever its Root. For the hop log's {@code self} (SPEC 8).
     */
    public static String self(String value) {
        if (value == null) {
            return null;
        }
        Scratch sc = SCRATCH.get();
        parse(value, sc);
        if (sc.selfPart < 0) {
            return null;
        }
        int[] p = sc.parts;
        int at = sc.selfPart * 4;
        return value.substring(p[at + 1] + 1, p[at + 2]);
    }

    /**
     * The fields of {@code value} that count (SPEC section 2), each as {@code name=value}, in order: the first
     * {@code Root}, the first {@code Self} and every custom field. Allocates; for paths off the usual request.
     */
    static java.util.List<String> fields(String value) {
        Scratch sc = SCRATCH.get();
        parse(value, sc);
        java.util.List<String> out = new java.util.ArrayList<>(sc.n);
        int[] p = sc.parts;
        for (int i = 0; i < sc.n; i++) {
            out.add(value.substring(p[i * 4], p[i * 4 + 2]));
        }
        return out;
    }

    /** True when {@code value} is an identifier: {@code 1-} + 8 hex digits + {@code -} + 24 hex digits. */
    public static boolean isValidId(String value) {
        return value != null && isValidId(value, 0, value.length());
    }

    /** How many bytes a header adds to a request: {@code name: value\r\n}, characters counted as bytes. */
    public static int lineBytes(String name, String value) {
        return (name == null ? 0 : name.length()) + (value == null ? 0 : value.length()) + 4;
    }

    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the fields are visible ASCII
    private static String rewrite(String in, boolean entry, int otherHeaderBytes, int maxHeaderBytes) {
        Scratch sc = SCRATCH.get();
        if (in == null) {
            sc.clear();
        } else {
            parse(in, sc);
        }
        int n = sc.n;
        int[] p = sc.parts;
        int joined = sc.keptLen + (n > 0 ? n - 1 : 0);
        int len;
        if (!sc.validRoot) {
            len = 5 + Ids.LENGTH + sc.customLen + sc.customCount;
        } else if (entry) {
            if (joined == in.length() && joined <= maxHeaderBytes) {
                return in; // already exactly the fields as received
            }
            len = joined;
        } else if (sc.selfPart < 0) {
            len = 5 + Ids.LENGTH + 1 + joined;
        } else {
            int at = sc.selfPart * 4;
            len = joined - (p[at + 2] - p[at + 1] - 1) + Ids.LENGTH;
        }
        // what leaves counts its whole header line among the others (SPEC 3); a context, its value (SPEC 4.5)
        boolean rootOnly = entry ? len > maxHeaderBytes
                : (long) otherHeaderBytes + LINE_OVERHEAD + len > maxHeaderBytes;
        int rootLen = 0;
        if (rootOnly) {
            if (sc.validRoot) {
                int at = sc.rootPart * 4;
                rootLen = p[at + 2] - p[at + 1] - 1;
            } else {
                rootLen = Ids.LENGTH;
            }
            len = 5 + rootLen;
        }

        byte[] b = sc.buffer(len);
        int o;
        if (rootOnly || !sc.validRoot) {
            o = putName(b, 0, 'R', 'o', 'o', 't');
            if (sc.validRoot) {
                int at = sc.rootPart * 4;
                in.getBytes(p[at + 1] + 1, p[at + 2], b, o);
                o += rootLen;
            } else {
                o = Ids.write(b, o);
            }
            if (!rootOnly) {
                for (int i = 0; i < n; i++) {
                    int at = i * 4;
                    if (p[at + 3] == CUSTOM) {
                        b[o++] = ';';
                        in.getBytes(p[at], p[at + 2], b, o);
                        o += p[at + 2] - p[at];
                    }
                }
            }
        } else {
            o = 0;
            if (!entry && sc.selfPart < 0) {
                o = putName(b, 0, 'S', 'e', 'l', 'f');
                o = Ids.write(b, o);
                b[o++] = ';';
                if (joined == in.length()) {
                    // the input is already exactly its fields: one copy
                    in.getBytes(0, joined, b, o);
                    return new String(b, 0, o + joined, StandardCharsets.ISO_8859_1);
                }
            }
            for (int i = 0; i < n; i++) {
                int at = i * 4;
                if (i > 0) {
                    b[o++] = ';';
                }
                if (!entry && i == sc.selfPart) {
                    o = putName(b, o, 'S', 'e', 'l', 'f');
                    o = Ids.write(b, o);
                } else {
                    in.getBytes(p[at], p[at + 2], b, o);
                    o += p[at + 2] - p[at];
                }
            }
        }
        return new String(b, 0, o, StandardCharsets.ISO_8859_1);
    }

    private static int putName(byte[] b, int o, char c0, char c1, char c2, char c3) {
        b[o] = (byte) c0;
        b[o + 1] = (byte) c1;
        b[o + 2] = (byte) c2;
        b[o + 3] = (byte) c3;
        b[o + 4] = '=';
        return o + 5;
    }

    /**
     * Splits {@code in} into the fields that count (SPEC section 2) and records them in {@code sc.parts},
     * four ints each: start, position of '=', end, kind. Dropped parts are not recorded.
     */
    private static void parse(String in, Scratch sc) {
        sc.clear();
        int end = in.indexOf(',');
        if (end < 0) {
            end = in.length();
        }
        int from = 0;
        while (from <= end) {
            int semi = in.indexOf(';', from);
            if (semi < 0 || semi > end) {
                semi = end;
            }
            int s = from;
            int e = semi;
            while (s < e && isBlank(in.charAt(s))) {
                s++;
            }
            while (e > s && isBlank(in.charAt(e - 1))) {
                e--;
            }
            if (s < e) {
                field(in, s, e, sc);
            }
            from = semi + 1;
        }
    }

    private static void field(String in, int s, int e, Scratch sc) {
        if (e - s == 5 + Ids.LENGTH && sc.rootPart < 0 && in.startsWith("Root=", s) && isValidId(in, s + 5, e)) {
            // the usual first field: a valid Root is visible ASCII with one '=', so it is read once
            sc.rootPart = sc.n;
            sc.validRoot = true;
            sc.keptLen += e - s;
            sc.add(s, s + 4, e, ROOT);
            return;
        }
        int eq = -1;
        for (int i = s; i < e; i++) {
            char c = in.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return; // not visible ASCII: the part is dropped
            }
            if (c == '=' && eq < 0) {
                eq = i;
            }
        }
        if (eq <= s) {
            return; // no '=' or an empty name
        }
        int kind = CUSTOM;
        if (eq - s == 4) {
            if (in.startsWith("Root", s)) {
                if (sc.rootPart >= 0) {
                    return; // the first Root wins
                }
                kind = ROOT;
                sc.rootPart = sc.n;
                sc.validRoot = isValidId(in, eq + 1, e);
            } else if (in.startsWith("Self", s)) {
                if (sc.selfPart >= 0) {
                    return; // the first Self wins
                }
                kind = SELF;
                sc.selfPart = sc.n;
            }
        }
        if (kind == CUSTOM) {
            sc.customCount++;
            sc.customLen += e - s;
        }
        sc.keptLen += e - s;
        sc.add(s, eq, e, kind);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * Whether {@code in[s, e)} is an identifier. The 32 hex digits are checked without a branch per character: a
     * test per character ("digit? lowercase letter? uppercase?") is mispredicted on most characters of random hex,
     * which made this check cost about 150 ns on a Root not seen just before (every request's), 20 ns now.
     */
    private static boolean isValidId(String in, int s, int e) {
        if (e - s != Ids.LENGTH || in.charAt(s) != '1' || in.charAt(s + 1) != '-' || in.charAt(s + 10) != '-') {
            return false;
        }
        int bad = 0;
        for (int i = s + 2; i < s + 10; i++) {
            bad |= notHex(in.charAt(i));
        }
        for (int i = s + 11; i < e; i++) {
            bad |= notHex(in.charAt(i));
        }
        return bad == 0;
    }

    /** 0 for a hex digit (either case), non-zero for any other character. */
    private static int notHex(char c) {
        return (c >>> 7) | NOT_HEX[c & 0x7F];
    }

    /** Per-thread work space, so that a call allocates only the string it returns. */
    private static final class Scratch {
        private static final int KEEP_BYTES = 16 * 1024;
        private static final int KEEP_INTS = 4 * 1024;

        byte[] out = new byte[256];
        int[] parts = new int[64];
        int n;
        int rootPart;
        int selfPart;
        boolean validRoot;
        int customCount;
        int customLen;
        int keptLen;

        void clear() {
            n = 0;
            rootPart = -1;
            selfPart = -1;
            validRoot = false;
            customCount = 0;
            customLen = 0;
            keptLen = 0;
            if (parts.length > KEEP_INTS) {
                parts = new int[64];
            }
        }

        void add(int start, int eq, int end, int kind) {
            int at = n * 4;
            if (at + 4 > parts.length) {
                int[] bigger = new int[parts.length * 2];
                System.arraycopy(parts, 0, bigger, 0, parts.length);
                parts = bigger;
            }
            parts[at] = start;
            parts[at + 1] = eq;
            parts[at + 2] = end;
            parts[at + 3] = kind;
            n++;
        }

        byte[] buffer(int len) {
            if (len <= out.length) {
                return out;
            }
            byte[] b = new byte[Math.max(len, out.length * 2)];
            if (b.length <= KEEP_BYTES) {
                out = b;
            }
            return b;
        }
    }
}

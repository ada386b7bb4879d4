package io.albtrace.agent.internal.tree;

import io.albtrace.core.TraceHeader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one line of a hop log (SPEC 8: a flat JSON object) or of an ALB access log (space separated, quoted fields,
 * {@code trace_id} the 18th). Never throws: a line that is not one gives null, and the caller counts it.
 */
final class Lines {

    private Lines() {
    }

    /** A hop log line, or null when it is not one (damaged, cut, another program's line). */
    static Hop hop(String line) {
        Map<String, String> o = object(line);
        if (o == null) {
            return null;
        }
        Hop h = new Hop();
        h.dir = o.get("dir");
        h.root = o.get("root");
        long start = micros(o.get("ts"));
        if (!Hop.IN.equals(h.dir) && !Hop.OUT.equals(h.dir) || h.root == null || h.root.isEmpty() || start < 0) {
            return null;
        }
        h.startMicros = start;
        h.svc = o.getOrDefault("svc", "?");
        h.self = o.get("self");
        h.parent = o.get("parent");
        h.method = o.get("method");
        h.host = o.get("host");
        h.path = o.get("path");
        h.trace = o.get("trace");
        try {
            if (o.containsKey("status")) {
                h.status = Integer.parseInt(o.get("status"));
            }
            if (o.containsKey("ms")) {
                h.ms = Double.parseDouble(o.get("ms"));
                if (h.ms < 0 || Double.isNaN(h.ms) || Double.isInfinite(h.ms)) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return h;
    }

    /** Microseconds since the epoch of an ISO 8601 UTC time, or -1. */
    static long micros(String iso) {
        if (iso == null) {
            return -1;
        }
        try {
            Instant t = Instant.parse(iso);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * A flat JSON object's members, every value as its text (strings unescaped, numbers, {@code true}, {@code false}
     * as written; {@code null} members left out), or null when {@code line} is not one.
     */
    static Map<String, String> object(String line) {
        Parser p = new Parser(line);
        try {
            Map<String, String> out = new HashMap<>();
            p.blank();
            p.expect('{');
            p.blank();
            if (p.peek() == '}') {
                p.at++;
            } else {
                while (true) {
                    p.blank();
                    String key = p.string();
                    p.blank();
                    p.expect(':');
                    p.blank();
                    String value = p.value();
                    if (value != null) {
                        out.put(key, value);
                    }
                    p.blank();
                    char c = p.next();
                    if (c == '}') {
                        break;
                    }
                    if (c != ',') {
                        return null;
                    }
                }
            }
            p.blank();
            return p.at == line.length() ? out : null;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            return s.charAt(at);
        }

        char next() {
            return s.charAt(at++);
        }

        void blank() {
            while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\t' || s.charAt(at) == '\r')) {
                at++;
            }
        }

        void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException();
            }
        }

        String value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            int from = at;
            while (at < s.length() && ",}] \t".indexOf(s.charAt(at)) < 0) {
                at++;
            }
            String word = s.substring(from, at);
            if (word.equals("null")) {
                return null;
            }
            if (word.isEmpty() || c == '{' || c == '[') {
                throw new IllegalArgumentException(); // no nested values in a hop line
            }
            return word;
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"': case '\\': case '/': b.append(e); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default:
                        throw new IllegalArgumentException();
                }
            }
        }
    }

    /**
     * An entry of an ALB access log, or null when it is not one. Fields (AWS's documented order): 1 type, 2 time (the
     * response's end), 5 target:port, 6 to 8 the processing times in seconds, 9 elb_status_code, 10
     * target_status_code, 13 request ({@code "GET http://host:port/path?query HTTP/1.1"}), 18 trace_id, 22
     * request_creation_time. An entry without a valid Root in its {@code trace_id} is not one of a tree.
     */
    static Hop alb(String line) {
        List<String> f = albFields(line);
        if (f == null || f.size() < 18) {
            return null;
        }
        long end = micros(f.get(1));
        String trace = f.get(17);
        String root = TraceHeader.root(trace);
        if (end < 0 || root == null) {
            return null;
        }
        Hop h = new Hop();
        h.dir = Hop.ALB;
        h.svc = "balancer";
        h.root = root;
        h.self = TraceHeader.self(trace);
        h.trace = trace;
        long start = f.size() > 21 ? micros(f.get(21)) : -1;
        if (start < 0 || start > end) {
            start = end;
            for (int i = 5; i <= 7; i++) {
                try {
                    double seconds = Double.parseDouble(f.get(i));
                    if (seconds > 0) {
                        start -= Math.round(seconds * 1_000_000);
                    }
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        h.startMicros = start;
        h.ms = (end - start) / 1000.0;
        h.status = status(f.get(8));
        String[] request = f.get(12).split(" ");
        if (request.length >= 2) {
            h.method = request[0];
            String url = request[1];
            int scheme = url.indexOf("://");
            String rest = scheme < 0 ? url : url.substring(scheme + 3);
            int slash = rest.indexOf('/');
            h.host = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "/" : rest.substring(slash);
            int query = path.indexOf('?');
            h.path = query < 0 ? path : path.substring(0, query);
        }
        return h;
    }

    private static int status(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1; // "-": the balancer had no response
        }
    }

    /** The fields of an access-log entry: separated by spaces, a field in double quotes may hold spaces. */
    static List<String> albFields(String line) {
        List<String> out = new ArrayList<>(32);
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            if (c == '"') {
                int close = line.indexOf('"', i + 1);
                while (close > 0 && close + 1 < n && line.charAt(close + 1) != ' ') {
                    close = line.indexOf('"', close + 1); // a quote inside the value
                }
                if (close < 0) {
                    return null;
                }
                out.add(line.substring(i + 1, close));
                i = close + 1;
            } else {
                int space = line.indexOf(' ', i);
                int end = space < 0 ? n : space;
                out.add(line.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}

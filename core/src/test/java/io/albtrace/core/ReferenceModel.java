package io.albtrace.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An independent, deliberately simple reading of SPEC sections 2, 3 and 4.2, written from the text with
 * {@code split}: the fuzz test checks {@link TraceHeader} against it. Templates use {@link NewIds#NEW} for a
 * fresh identifier.
 */
final class ReferenceModel {

    static final Pattern VALID_ROOT = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");

    enum Kind { ROOT, SELF, CUSTOM }

    record Field(Kind kind, String text, String value) {
    }

    /** The fields that count, in order (SPEC section 2). */
    record Parsed(List<Field> fields) {

        Field root() {
            return fields.stream().filter(f -> f.kind() == Kind.ROOT).findFirst().orElse(null);
        }

        Field self() {
            return fields.stream().filter(f -> f.kind() == Kind.SELF).findFirst().orElse(null);
        }

        boolean hasValidRoot() {
            Field r = root();
            return r != null && VALID_ROOT.matcher(r.value()).matches();
        }

        List<String> customs() {
            List<String> out = new ArrayList<>();
            for (Field f : fields) {
                if (f.kind() == Kind.CUSTOM) {
                    out.add(f.text());
                }
            }
            return out;
        }
    }

    private ReferenceModel() {
    }

    static Parsed parse(String header) {
        List<Field> fields = new ArrayList<>();
        if (header == null) {
            return new Parsed(fields);
        }
        // 2.1: only the first comma-separated value counts
        String first = header.split(",", -1)[0];
        boolean rootSeen = false;
        boolean selfSeen = false;
        // 2.2: split on ';', trim spaces and tabs, drop empty parts
        for (String raw : first.split(";", -1)) {
            String part = trimSpacesAndTabs(raw);
            if (part.isEmpty()) {
                continue;
            }
            // 2.3: name=value at the first '=', non-empty name, visible ASCII only
            int eq = part.indexOf('=');
            if (eq <= 0 || !visibleAscii(part)) {
                continue;
            }
            String name = part.substring(0, eq);
            String value = part.substring(eq + 1);
            // 2.4 and 2.5: case-sensitive names, first Root and first Self win
            if (name.equals("Root")) {
                if (!rootSeen) {
                    rootSeen = true;
                    fields.add(new Field(Kind.ROOT, part, value));
                }
            } else if (name.equals("Self")) {
                if (!selfSeen) {
                    selfSeen = true;
                    fields.add(new Field(Kind.SELF, part, value));
                }
            } else {
                fields.add(new Field(Kind.CUSTOM, part, value));
            }
        }
        return new Parsed(fields);
    }

    /** SPEC section 3 without the size rule. */
    static String forwardIgnoringSize(Parsed p) {
        List<String> out = new ArrayList<>();
        if (!p.hasValidRoot()) {
            out.add("Root=" + NewIds.NEW);
            out.addAll(p.customs());
        } else {
            if (p.self() == null) {
                out.add("Self=" + NewIds.NEW);
            }
            for (Field f : p.fields()) {
                out.add(f.kind() == Kind.SELF ? "Self=" + NewIds.NEW : f.text());
            }
        }
        return String.join(";", out);
    }

    /** Length of a template once each placeholder is an identifier. */
    static long writtenLength(String template) {
        long n = 0;
        for (int i = 0; i < template.length(); i++) {
            n += template.charAt(i) == NewIds.NEW.charAt(0) ? Ids.LENGTH : 1;
        }
        return n;
    }

    /** True when the request's headers, the trace header included, would exceed the bound (SPEC section 3). */
    static boolean sizeRuleApplies(Parsed p, int otherHeaderBytes, int maxHeaderBytes) {
        long line = "X-Amzn-Trace-Id: ".length() + writtenLength(forwardIgnoringSize(p)) + "\r\n".length();
        return otherHeaderBytes + line > maxHeaderBytes;
    }

    /** SPEC section 3, the template of what leaves. */
    static String forward(String header, int otherHeaderBytes, int maxHeaderBytes) {
        Parsed p = parse(header);
        if (sizeRuleApplies(p, otherHeaderBytes, maxHeaderBytes)) {
            return "Root=" + (p.hasValidRoot() ? p.root().value() : NewIds.NEW);
        }
        return forwardIgnoringSize(p);
    }

    /**
     * SPEC sections 4.2 and 4.5, the template of the context a server entry binds: over {@code maxHeaderBytes},
     * written as a header value, the Root alone.
     */
    static String entry(String header, int maxHeaderBytes) {
        Parsed p = parse(header);
        List<String> out = new ArrayList<>();
        if (p.hasValidRoot()) {
            for (Field f : p.fields()) {
                out.add(f.text());
            }
        } else {
            out.add("Root=" + NewIds.NEW);
            out.addAll(p.customs());
        }
        String context = String.join(";", out);
        if (writtenLength(context) > maxHeaderBytes) {
            return "Root=" + (p.hasValidRoot() ? p.root().value() : NewIds.NEW);
        }
        return context;
    }

    static String trimSpacesAndTabs(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}

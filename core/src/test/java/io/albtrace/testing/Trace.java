package io.albtrace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Assertions on header values written as in the vectors: {@code {NEW}} stands for a fresh identifier. */
public final class Trace {

    public static final String NAME = "X-Amzn-Trace-Id";
    /** A fresh identifier as the agent writes it: lowercase. */
    public static final String NEW = "1-[0-9a-f]{8}-[0-9a-f]{24}";
    /** Any identifier, either case. */
    private static final Pattern ANY_ID = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");

    public static final String ROOT = "1-67891233-abcdef012345678912345678";
    public static final String CONTEXT = "Root=" + ROOT + ";CalledFrom=app";

    private Trace() {
    }

    /** The exact regex for {@code template}: literal text, each {NEW} a capturing group. */
    public static Pattern pattern(String template) {
        StringBuilder regex = new StringBuilder();
        String[] literal = template.split(Pattern.quote("{NEW}"), -1);
        for (int i = 0; i < literal.length; i++) {
            if (i > 0) {
                regex.append('(').append(NEW).append(')');
            }
            if (!literal[i].isEmpty()) {
                regex.append(Pattern.quote(literal[i]));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /**
     * Asserts that {@code actual} is exactly {@code template} with each {NEW} a fresh identifier, different from
     * every other one in it and from every identifier in {@code input} (may be null); returns the new ones.
     */
    public static List<String> assertForwarded(String template, String input, String actual) {
        Matcher m = pattern(template).matcher(actual == null ? "" : actual);
        assertTrue(m.matches(), () -> "expected " + template + " but the server saw [" + actual + "]");
        List<String> fresh = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (input != null) {
            Matcher old = ANY_ID.matcher(input);
            while (old.find()) {
                seen.add(old.group().toLowerCase(java.util.Locale.ROOT));
            }
        }
        for (int g = 1; g <= m.groupCount(); g++) {
            String id = m.group(g);
            assertTrue(seen.add(id), () -> "identifier " + id + " in [" + actual + "] is not fresh (input ["
                    + input + "])");
            fresh.add(id);
        }
        return fresh;
    }

    /** {@code n} custom fields, each led by {@code ;}: {@code ;k0=v0;k1=v1;…}. */
    public static String customFields(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(";k").append(i).append("=v").append(i);
        }
        return b.toString();
    }

    /** The value of the first {@code Root} field of a context or header, asserting that it has one. */
    public static String rootOf(String value) {
        Matcher m = ROOT_FIELD.matcher(value == null ? "" : value);
        assertTrue(m.find(), () -> "no Root field in [" + value + "]");
        return m.group(1);
    }

    private static final Pattern ROOT_FIELD = Pattern.compile("(?:^|;)Root=([^;]*)");

    /** The Self value of a forwarded header (its only {NEW}), asserting the shape {@code Self={NEW};rest}. */
    public static String self(String actual, String rest) {
        List<String> fresh = assertForwarded("Self={NEW};" + rest, rest, actual);
        assertEquals(1, fresh.size());
        return fresh.get(0);
    }
}

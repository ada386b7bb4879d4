package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches header values against templates where a placeholder stands for a fresh identifier, as the vectors'
 * {@code {NEW}} does. In templates built by the tests the placeholder is {@link #NEW}, a NUL character, which
 * can never appear in a value the engine writes.
 */
final class NewIds {

    /** The placeholder for a fresh identifier in a template. */
    static final String NEW = "\u0000";

    /** A fresh identifier as the agent writes it: lowercase. */
    static final Pattern FRESH = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");

    /** Anything shaped like an identifier, either case. */
    static final Pattern ANY_ID = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");

    /** Allowed distance between an identifier's time part and the clock, in seconds. */
    static final long CLOCK_SLACK = 5;

    private NewIds() {
    }

    /**
     * Asserts that {@code actual} is {@code template} with each {@link #NEW} replaced by a fresh identifier that
     * is lowercase, made now, and different from every other identifier in the output and in {@code input}.
     *
     * @return the fresh identifiers, in order
     */
    static List<String> assertMatches(String template, String actual, String input) {
        List<String> fresh = match(template, actual);
        if (fresh == null) {
            fail("expected <" + printable(template.replace(NEW, "{NEW}")) + "> but was <" + printable(actual) + ">"
                    + " for input <" + printable(input) + ">");
        }
        assertFresh(fresh, actual, input);
        return fresh;
    }

    /** The identifiers standing at the template's placeholders, or null when {@code actual} does not fit. */
    static List<String> match(String template, String actual) {
        if (actual == null) {
            return null;
        }
        List<String> fresh = new ArrayList<>(2);
        int pos = 0;
        int from = 0;
        while (true) {
            int at = template.indexOf(NEW, from);
            int end = at < 0 ? template.length() : at;
            int len = end - from;
            if (!actual.regionMatches(pos, template, from, len)) {
                return null;
            }
            pos += len;
            if (at < 0) {
                return pos == actual.length() ? fresh : null;
            }
            if (pos + Ids.LENGTH > actual.length()) {
                return null;
            }
            String id = actual.substring(pos, pos + Ids.LENGTH);
            if (!FRESH.matcher(id).matches()) {
                return null;
            }
            fresh.add(id);
            pos += Ids.LENGTH;
            from = at + NEW.length();
        }
    }

    /** Fresh identifiers: distinct, not taken from the input or elsewhere in the output, made within the slack. */
    static void assertFresh(List<String> fresh, String output, String input) {
        long now = System.currentTimeMillis() / 1000L;
        Set<String> seen = new HashSet<>();
        for (String id : fresh) {
            assertTrue(FRESH.matcher(id).matches(), () -> "not a lowercase identifier: " + id);
            assertTrue(seen.add(id), () -> "identifier " + id + " appears twice among the new ones in " + output);
            assertEquals(output.indexOf(id), output.lastIndexOf(id), () -> "identifier " + id + " repeated in " + output);
            if (input != null) {
                assertFalse(input.toLowerCase(java.util.Locale.ROOT).contains(id),
                        () -> "new identifier " + id + " was taken from the input " + printable(input));
            }
            long time = Long.parseLong(id.substring(2, 10), 16);
            assertTrue(Math.abs(time - now) <= CLOCK_SLACK,
                    () -> "identifier " + id + " has time " + time + ", clock says " + now);
        }
    }

    /** Every identifier-shaped token in {@code s}. */
    static List<String> idsIn(String s) {
        List<String> ids = new ArrayList<>();
        Matcher m = ANY_ID.matcher(s);
        while (m.find()) {
            ids.add(m.group());
        }
        return ids;
    }

    /** Escapes what would not print, for failure messages; long values are cut. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        int limit = Math.min(s.length(), 400);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7E) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (limit < s.length()) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}

package io.albtrace.core;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own messages: one line each on stderr, prefixed {@code [albtrace]}. Never throws.
 *
 * <p>What the agent prints never holds a control character, NUL or a character outside visible ASCII (SPEC 6): every
 * line is escaped ({@link #printable}) and bounded to {@link #LINE_CHARS}. A value that comes from a request (a
 * header, a context) is put in a line with {@link #value}, which also escapes backslashes, so that an escape in the
 * output is always the agent's, and cuts it to {@link #VALUE_CHARS}. A setting's value that is refused is put in a
 * line with {@link #hidden}: it may be a secret pasted under the wrong key, so only its length and first characters
 * are shown.
 */
public final class Log {

    /**
     * The most characters of one request value a line shows, escapes counted: 512. A header a load balancer forwards
     * (Root and Self, 40 characters each, and a few custom fields such as X-Ray's Parent, Sampled and Lineage) is
     * well under 200, so a real header is shown whole; a hostile one of any size adds at most this to a line.
     */
    public static final int VALUE_CHARS = 512;
    /** The most characters of one line after its prefix: a bound on what no value bounds (an exception's text). */
    public static final int LINE_CHARS = 4096;
    /** How many characters of a refused setting's value are shown. */
    static final int HIDDEN_CHARS = 3;

    private static final String PREFIX = "[albtrace] ";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private Log() {
    }

    public static void warn(String message) {
        try {
            System.err.println(PREFIX + printable(message));
        } catch (Throwable ignored) {
            // stderr is gone: nothing else to do
        }
    }

    /** Says {@code message} the first time {@code key} is seen, never again. */
    public static void warnOnce(String key, String message) {
        if (SAID.add(key)) {
            warn(message);
        }
    }

    public static boolean debugEnabled() {
        return Config.current().debug();
    }

    /** Says {@code message} when {@code albtrace.debug=true}. */
    public static void debug(String message) {
        if (debugEnabled()) {
            warn("debug: " + message);
        }
    }

    /**
     * Called by the exception handler of every advice: the failure is reported once per instrumentation and
     * the application's call goes ahead as if the agent were absent (SPEC section 7). Its text may hold what a
     * request carried (a library's message about a header), so it is cut like a request value; with
     * {@code albtrace.debug=true} its stack follows, each line escaped and cut the same way.
     */
    public static void adviceFailed(Throwable failure, String instrumentation) {
        try {
            if (SAID.add("advice-failed:" + instrumentation)) {
                warn(instrumentation + " instrumentation failed and is skipped for this call (said once): "
                        + value(String.valueOf(failure)));
                if (debugEnabled() && failure != null) {
                    StringWriter stack = new StringWriter();
                    failure.printStackTrace(new PrintWriter(stack));
                    StringBuilder out = new StringBuilder();
                    for (String line : stack.toString().split("\r?\n")) {
                        int tabs = 0;
                        while (tabs < line.length() && line.charAt(tabs) == '\t') {
                            tabs++;
                        }
                        out.append(PREFIX).append(line, 0, tabs).append(value(line.substring(tabs), false))
                                .append(System.lineSeparator());
                    }
                    System.err.print(out);
                    System.err.flush();
                }
            }
        } catch (Throwable ignored) {
            // never let a failure report break the application
        }
    }

    /**
     * A value from a request, ready to be put in a line: every character outside visible ASCII (control characters,
     * NUL, DEL, anything over {@code ~}) and the backslash escaped ({@code \x1b}, {@code \x00}, {@code \xe9},
     * {@code \u2028}, {@code \\}), and cut to {@link #VALUE_CHARS} printed characters, followed then by
     * {@code ...(cut from N characters)}. Null is the empty string.
     */
    public static String value(String value) {
        return value(value, true);
    }

    /**
     * A setting's value that is refused, ready to be put in a line, without showing it whole: a value of up to
     * {@value #HIDDEN_CHARS} characters is shown (escaped), a longer one as its first {@value #HIDDEN_CHARS}
     * characters and its length: {@code sk_...(32 characters, not shown whole)}. Null is the empty string.
     */
    public static String hidden(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        escape(b, value.substring(0, Math.min(HIDDEN_CHARS, value.length())), true, Integer.MAX_VALUE);
        if (value.length() > HIDDEN_CHARS) {
            b.append("...(").append(value.length()).append(" characters, not shown whole)");
        }
        return b.toString();
    }

    /**
     * A line's text as it is printed: every character outside visible ASCII escaped as in {@link #value} (the
     * backslash left as it is), cut to {@link #LINE_CHARS}. Null is {@code "null"}.
     */
    public static String printable(String text) {
        String t = String.valueOf(text);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7E || i >= LINE_CHARS) {
                StringBuilder b = new StringBuilder(Math.min(t.length(), LINE_CHARS) + 64);
                cut(b, t, escape(b, t, false, LINE_CHARS));
                return b.toString();
            }
        }
        return t;
    }

    private static String value(String value, boolean backslash) {
        if (value == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), VALUE_CHARS) + 32);
        cut(b, value, escape(b, value, backslash, VALUE_CHARS));
        return b.toString();
    }

    private static void cut(StringBuilder b, String text, int taken) {
        if (taken < text.length()) {
            b.append("...(cut from ").append(text.length()).append(" characters)");
        }
    }

    /**
     * Appends {@code text} escaped to {@code b}, as long as no more than {@code limit} characters are appended; an
     * escape is never split. Returns how many characters of {@code text} were taken.
     */
    private static int escape(StringBuilder b, String text, boolean backslash, int limit) {
        int room = limit;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean plain = c >= 0x20 && c <= 0x7E && !(backslash && c == '\\');
            int width = plain ? 1 : c == '\\' ? 2 : c <= 0xFF ? 4 : 6;
            if (width > room) {
                return i;
            }
            room -= width;
            if (plain) {
                b.append(c);
            } else if (c == '\\') {
                b.append("\\\\");
            } else if (c <= 0xFF) {
                b.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            }
        }
        return text.length();
    }
}

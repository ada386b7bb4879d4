package io.albtrace.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The agent's own messages: one line each on stderr, prefixed {@code [albtrace]}. Never throws. */
public final class Log {

    private static final String PREFIX = "[albtrace] ";
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private Log() {
    }

    public static void warn(String message) {
        try {
            System.err.println(PREFIX + message);
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
     * the application's call goes ahead as if the agent were absent (SPEC section 7).
     */
    public static void adviceFailed(Throwable failure, String instrumentation) {
        try {
            if (SAID.add("advice-failed:" + instrumentation)) {
                warn(instrumentation + " instrumentation failed and is skipped for this call (said once): " + failure);
                if (debugEnabled() && failure != null) {
                    failure.printStackTrace();
                }
            }
        } catch (Throwable ignored) {
            // never let a failure report break the application
        }
    }
}

package io.albtrace.core;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The log MDC bridge (SPEC 4.4): while a server entry point has a context bound, the MDC of whichever logging
 * API the application has holds {@code amzn.trace.root} (the Root value) and {@code amzn.trace.id} (the whole
 * context value). Supported, found at run time by reflection so that the agent depends on neither:
 * SLF4J's {@code org.slf4j.MDC} (Logback and every other SLF4J backend) and Log4j 2's
 * {@code org.apache.logging.log4j.ThreadContext}. Both are used when both are present.
 *
 * <p>The classes are looked up in the class loaders the caller names (the application's handler's loader, the
 * thread's context class loader), once per loader; the result is cached weakly. A loader that has neither
 * costs one failed lookup, then nothing. A failure (a logging library that throws, a missing method) is
 * reported once and the request goes ahead.
 *
 * <p>{@link #put} returns what was in the MDC before; {@link #restore} puts it back (or removes the keys), so
 * nested or foreign values are not lost. Neither ever throws.
 */
public final class Mdc {

    /** The MDC key of the Root value, {@code 1-…-…}. */
    public static final String ROOT = "amzn.trace.root";
    /** The MDC key of the whole context value. */
    public static final String ID = "amzn.trace.id";

    private static final String[] APIS = {"org.slf4j.MDC", "org.apache.logging.log4j.ThreadContext"};
    private static final Api[] NONE = new Api[0];
    private static final Map<ClassLoader, Api[]> BY_LOADER = new WeakHashMap<>();

    private Mdc() {
    }

    /** What {@link #put} replaced; give it back to {@link #restore}. */
    public static final class Saved {
        final Api[] apis;
        final String[] previous;

        Saved(Api[] apis, String[] previous) {
            this.apis = apis;
            this.previous = previous;
        }
    }

    /**
     * Puts the two keys for {@code context} into every MDC visible from {@code first} or {@code second} (either
     * may be null). Returns what to restore, or null when no MDC was found (or the context has no valid Root).
     */
    public static Saved put(String context, ClassLoader first, ClassLoader second) {
        try {
            String root = TraceHeader.root(context);
            if (root == null) {
                return null;
            }
            Api[] apis = apis(first);
            if (second != null && second != first) {
                apis = merge(apis, apis(second));
            }
            if (apis.length == 0) {
                return null;
            }
            String[] previous = new String[apis.length * 2];
            for (int i = 0; i < apis.length; i++) {
                Api api = apis[i];
                previous[2 * i] = api.get(ROOT);
                previous[2 * i + 1] = api.get(ID);
                api.put(ROOT, root);
                api.put(ID, context);
            }
            return new Saved(apis, previous);
        } catch (Throwable e) {
            Log.warnOnce("mdc-put", "could not put the trace context into the log MDC (said once): " + e);
            return null;
        }
    }

    /** Puts back what {@link #put} replaced: the previous values, or no keys. Null does nothing. */
    public static void restore(Saved saved) {
        if (saved == null) {
            return;
        }
        try {
            for (int i = saved.apis.length - 1; i >= 0; i--) {
                Api api = saved.apis[i];
                api.reset(ID, saved.previous[2 * i + 1]);
                api.reset(ROOT, saved.previous[2 * i]);
            }
        } catch (Throwable e) {
            Log.warnOnce("mdc-restore", "could not restore the log MDC (said once): " + e);
        }
    }

    /** The MDC APIs visible from {@code loader}, looked up once per loader. */
    static Api[] apis(ClassLoader loader) {
        if (loader == null) {
            return NONE; // the bootstrap loader has no logging library
        }
        synchronized (BY_LOADER) {
            Api[] found = BY_LOADER.get(loader);
            if (found != null) {
                return found;
            }
        }
        List<Api> list = new ArrayList<>(2);
        for (String name : APIS) {
            Api api = Api.find(name, loader);
            if (api != null) {
                list.add(api);
            }
        }
        Api[] found = list.isEmpty() ? NONE : list.toArray(NONE);
        synchronized (BY_LOADER) {
            BY_LOADER.put(loader, found);
        }
        if (Log.debugEnabled()) {
            Log.debug("log MDC for " + loader + ": " + (found.length == 0 ? "none" : java.util.Arrays.toString(found)));
        }
        return found;
    }

    private static Api[] merge(Api[] a, Api[] b) {
        if (b.length == 0) {
            return a;
        }
        List<Api> list = new ArrayList<>(a.length + b.length);
        for (Api api : a) {
            list.add(api);
        }
        outer:
        for (Api api : b) {
            for (Api seen : a) {
                if (seen.type == api.type) {
                    continue outer;
                }
            }
            list.add(api);
        }
        return list.toArray(NONE);
    }

    /** One MDC class: static {@code put(String, String)}, {@code get(String)} and {@code remove(String)}. */
    static final class Api {
        final Class<?> type;
        private final Method put;
        private final Method get;
        private final Method remove;

        private Api(Class<?> type, Method put, Method get, Method remove) {
            this.type = type;
            this.put = put;
            this.get = get;
            this.remove = remove;
        }

        static Api find(String name, ClassLoader loader) {
            Class<?> type;
            try {
                type = Class.forName(name, true, loader);
            } catch (ClassNotFoundException e) {
                return null; // the application does not have this library: normal
            } catch (Throwable e) {
                Log.warnOnce("mdc-load:" + name, name + " is present but cannot be used for the log MDC: " + e);
                return null;
            }
            try {
                return new Api(type, type.getMethod("put", String.class, String.class),
                        type.getMethod("get", String.class), type.getMethod("remove", String.class));
            } catch (Throwable e) {
                Log.warnOnce("mdc-methods:" + name, name + " has no put/get/remove(String) this agent knows;"
                        + " the log MDC is not filled through it: " + e);
                return null;
            }
        }

        String get(String key) throws Exception {
            Object v = get.invoke(null, key);
            return v instanceof String ? (String) v : null;
        }

        void put(String key, String value) throws Exception {
            put.invoke(null, key, value);
        }

        void reset(String key, String previous) throws Exception {
            if (previous == null) {
                remove.invoke(null, key);
            } else {
                put.invoke(null, key, previous);
            }
        }

        @Override
        public String toString() {
            return type.getName();
        }
    }
}

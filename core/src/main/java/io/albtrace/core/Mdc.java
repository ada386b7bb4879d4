package io.albtrace.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The log MDC bridge (SPEC 4.4): while a server entry point has a context bound, the MDC of whichever logging
 * API the application has holds {@code amzn.trace.root} (the Root value) and {@code amzn.trace.id} (the whole
 * context value). Supported, found at run time so that the agent depends on neither: SLF4J's
 * {@code org.slf4j.MDC} (Logback and every other SLF4J backend) and Log4j 2's
 * {@code org.apache.logging.log4j.ThreadContext}. Both are used when both are present.
 *
 * <p>The classes are looked up in the class loaders the caller names (the application's handler's loader, the
 * thread's context class loader), once per loader. Nothing here keeps an application's loader alive: the
 * per-loader cache is weak on both sides (it holds weak references to the MDC classes, which their loader keeps
 * alive), and the method handles of an MDC class are kept in a {@link ClassValue}, that is by the class itself.
 * The common case, the same loaders as the previous request, is lock-free. A loader that has neither API costs
 * one failed lookup, then nothing.
 *
 * <p>A failure of an API (a logging library that throws) is reported once; that API (that class, so that
 * loader's copy) is not used again, whatever it had already put for the request is taken out, and the request
 * goes ahead with the other API, if any.
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
    private static final Api[] NO_APIS = new Api[0];
    @SuppressWarnings("unchecked")
    private static final WeakReference<Class<?>>[] NO_TYPES = new WeakReference[0];

    /** Each loader's MDC classes, weakly: a value never keeps its key alive. Slow path only. */
    private static final Map<ClassLoader, WeakReference<Class<?>>[]> BY_LOADER = new WeakHashMap<>();

    /** The API of an MDC class, kept by the class itself (no reference from core's statics to it). */
    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> type) {
            return Api.of(type);
        }
    };

    /** The loaders of the last lookup and what they resolved to; all weak. Read without a lock. */
    private static volatile Resolved last = new Resolved(null, null, NO_TYPES);

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
            Api[] apis = apis(first, second);
            if (apis.length == 0) {
                return null; // before the Root is cut out of the context: no MDC, no allocation
            }
            String root = TraceHeader.root(context);
            if (root == null) {
                return null;
            }
            String[] previous = new String[apis.length * 2];
            int ok = 0;
            for (int i = 0; i < apis.length; i++) {
                Api api = apis[i];
                if (api.disabled) {
                    continue;
                }
                String oldRoot = null;
                String oldId = null;
                int step = 0;
                try {
                    oldRoot = api.get(ROOT);
                    oldId = api.get(ID);
                    step = 1;
                    api.put(ROOT, root);
                    step = 2;
                    api.put(ID, context);
                } catch (Throwable e) {
                    api.failed(e);
                    if (step == 2) { // ROOT was put: take it out again
                        try {
                            api.reset(ROOT, oldRoot);
                        } catch (Throwable ignored) {
                            // the API is disabled already
                        }
                    }
                    continue;
                }
                apis[ok] = api;
                previous[2 * ok] = oldRoot;
                previous[2 * ok + 1] = oldId;
                ok++;
            }
            if (ok == 0) {
                return null;
            }
            if (ok < apis.length) {
                Api[] kept = new Api[ok];
                System.arraycopy(apis, 0, kept, 0, ok);
                String[] keptPrevious = new String[ok * 2];
                System.arraycopy(previous, 0, keptPrevious, 0, ok * 2);
                return new Saved(kept, keptPrevious);
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
        for (int i = saved.apis.length - 1; i >= 0; i--) {
            Api api = saved.apis[i];
            try {
                api.reset(ID, saved.previous[2 * i + 1]);
            } catch (Throwable e) {
                api.failed(e);
            }
            try {
                api.reset(ROOT, saved.previous[2 * i]);
            } catch (Throwable e) {
                api.failed(e);
            }
        }
    }

    /** The MDC APIs visible from {@code first} or {@code second}, without duplicates; a fresh array. */
    static Api[] apis(ClassLoader first, ClassLoader second) {
        if (second == first) {
            second = null;
        }
        Resolved r = last;
        WeakReference<Class<?>>[] types = null;
        if (r.matches(first, second)) {
            types = r.types;
        } else {
            types = lookup(first, second);
            last = new Resolved(first, second, types);
        }
        if (types.length == 0) {
            return NO_APIS;
        }
        Api[] apis = new Api[types.length];
        int n = 0;
        for (WeakReference<Class<?>> ref : types) {
            Class<?> type = ref.get();
            if (type != null) {
                Api api = API.get(type);
                if (api != null) {
                    apis[n++] = api;
                }
            }
        }
        if (n < apis.length) {
            Api[] fewer = new Api[n];
            System.arraycopy(apis, 0, fewer, 0, n);
            return fewer;
        }
        return apis;
    }

    private static WeakReference<Class<?>>[] lookup(ClassLoader first, ClassLoader second) {
        WeakReference<Class<?>>[] a = types(first);
        WeakReference<Class<?>>[] b = types(second);
        if (b.length == 0) {
            return a;
        }
        if (a.length == 0) {
            return b;
        }
        List<WeakReference<Class<?>>> list = new ArrayList<>(a.length + b.length);
        for (WeakReference<Class<?>> ref : a) {
            list.add(ref);
        }
        outer:
        for (WeakReference<Class<?>> ref : b) {
            for (WeakReference<Class<?>> seen : a) {
                if (seen.get() == ref.get()) {
                    continue outer;
                }
            }
            list.add(ref);
        }
        return list.toArray(NO_TYPES);
    }

    /** The MDC classes visible from {@code loader}, looked up once per loader. */
    private static WeakReference<Class<?>>[] types(ClassLoader loader) {
        if (loader == null) {
            return NO_TYPES; // the bootstrap loader has no logging library
        }
        synchronized (BY_LOADER) {
            WeakReference<Class<?>>[] found = BY_LOADER.get(loader);
            if (found != null) {
                return found;
            }
        }
        List<WeakReference<Class<?>>> list = new ArrayList<>(2);
        for (int api = 0; api < APIS.length; api++) {
            Class<?> type = find(api, loader);
            if (type != null && API.get(type) != null) {
                list.add(new WeakReference<Class<?>>(type));
            }
        }
        WeakReference<Class<?>>[] found = list.isEmpty() ? NO_TYPES : list.toArray(NO_TYPES);
        synchronized (BY_LOADER) {
            BY_LOADER.put(loader, found);
        }
        if (Log.debugEnabled()) {
            StringBuilder names = new StringBuilder();
            for (WeakReference<Class<?>> ref : found) {
                Class<?> type = ref.get();
                names.append(names.length() == 0 ? "" : ", ").append(type == null ? "?" : type.getName());
            }
            Log.debug("log MDC for " + loader + ": " + (found.length == 0 ? "none" : names));
        }
        return found;
    }

    /**
     * Resources that say a logging back end is there for an API: SLF4J 2 providers and the SLF4J 1 binding; Log4j 2
     * providers (ServiceLoader, and the older properties file). Without one, the API's MDC keeps nothing a log line
     * would show (SLF4J falls back to its no-operation MDC), and initialising the API would only make it print its
     * "no provider" complaint on the application's stderr: so such an API is left alone.
     */
    private static final String[][] BACKENDS = {
        {"META-INF/services/org.slf4j.spi.SLF4JServiceProvider", "org/slf4j/impl/StaticLoggerBinder.class"},
        {"META-INF/services/org.apache.logging.log4j.spi.Provider", "META-INF/log4j-provider.properties"}};

    private static boolean hasBackend(int api, ClassLoader loader) {
        for (String resource : BACKENDS[api]) {
            if (loader.getResource(resource) != null) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> find(int api, ClassLoader loader) {
        String name = APIS[api];
        try {
            if (!hasBackend(api, loader)) {
                return null; // the API without a back end: nothing to show the keys, and initialising it is noisy
            }
            return Class.forName(name, true, loader);
        } catch (ClassNotFoundException e) {
            return null; // the application does not have this library: normal
        } catch (Throwable e) {
            Log.warnOnce("mdc-load:" + name, name + " is present but cannot be used for the log MDC: " + e);
            return null;
        }
    }

    /** The loaders of a lookup, weakly, and the MDC classes they resolved to, weakly. */
    private static final class Resolved {
        final WeakReference<ClassLoader> first;
        final WeakReference<ClassLoader> second;
        final WeakReference<Class<?>>[] types;

        final boolean firstNull;
        final boolean secondNull;

        Resolved(ClassLoader first, ClassLoader second, WeakReference<Class<?>>[] types) {
            this.first = new WeakReference<>(first);
            this.second = new WeakReference<>(second);
            this.firstNull = first == null;
            this.secondNull = second == null;
            this.types = types;
        }

        /** Same loaders (a collected one matches nothing, not null). */
        boolean matches(ClassLoader a, ClassLoader b) {
            return (a == null ? firstNull : first.get() == a) && (b == null ? secondNull : second.get() == b);
        }
    }

    /** One MDC class: static {@code put(String, String)}, {@code get(String)} and {@code remove(String)}. */
    static final class Api {
        private static final MethodType PUT = MethodType.methodType(void.class, String.class, String.class);
        private static final MethodType GET = MethodType.methodType(Object.class, String.class);
        private static final MethodType REMOVE = MethodType.methodType(void.class, String.class);

        private final String name;
        private final MethodHandle put;
        private final MethodHandle get;
        private final MethodHandle remove;
        /** Set after the first failure: this class is not used again. */
        volatile boolean disabled;

        private Api(String name, MethodHandle put, MethodHandle get, MethodHandle remove) {
            this.name = name;
            this.put = put;
            this.get = get;
            this.remove = remove;
        }

        /** The API of {@code type}, or null (reported once) when it has no put/get/remove(String) we know. */
        static Api of(Class<?> type) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                return new Api(type.getName(),
                        lookup.unreflect(type.getMethod("put", String.class, String.class)).asType(PUT),
                        lookup.unreflect(type.getMethod("get", String.class)).asType(GET),
                        lookup.unreflect(type.getMethod("remove", String.class)).asType(REMOVE));
            } catch (Throwable e) {
                Log.warnOnce("mdc-methods:" + type.getName(), type.getName() + " has no static put/get/remove(String)"
                        + " this agent knows; the log MDC is not filled through it: " + e);
                return null;
            }
        }

        String get(String key) throws Throwable {
            Object v = (Object) get.invokeExact(key);
            return v instanceof String ? (String) v : null;
        }

        void put(String key, String value) throws Throwable {
            put.invokeExact(key, value);
        }

        void reset(String key, String previous) throws Throwable {
            if (previous == null) {
                remove.invokeExact(key);
            } else {
                put.invokeExact(key, previous);
            }
        }

        /** Disables this API after a failure; reported once. */
        void failed(Throwable e) {
            disabled = true;
            Log.warnOnce("mdc-failed:" + name, name + " failed; the log MDC is no longer filled through it (said"
                    + " once): " + e);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}

package io.albtrace.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One instance per library class loader of an agent class that must implement one of that library's own types, so
 * must be defined where the library's classes are visible: OkHttp 5's call tags are keyed by a Kotlin
 * {@code KClass}, and the only one the Kotlin standard library makes, {@code ClassReference}, costs milliseconds
 * the first time in a process (its class initialiser loads some 60 Kotlin classes), which the first call of an
 * application that never made one paid on its request thread.
 *
 * <p>The helper class is defined, from its class file in the agent's jar ({@link #classFiles}), in a class loader
 * of its own whose parent is the library's, once per library class loader (by the class {@code anchor} given,
 * kept with that class, so it goes when the library's loader goes). Its static initialiser hands its one instance
 * over ({@link #created}): no reflection, whose first use costs tens of milliseconds on Java 18 and later.
 * Nothing is ever defined in the library's own loader.
 */
public final class LibraryHelpers {

    private static final Object NONE = new Object();

    private static volatile Function<String, byte[]> classFiles;

    /** Per anchor class: helper class name to its instance, or {@link #NONE} when it could not be made. */
    private static final ClassValue<ConcurrentHashMap<String, Object>> INSTANCES =
            new ClassValue<ConcurrentHashMap<String, Object>>() {
                @Override
                protected ConcurrentHashMap<String, Object> computeValue(Class<?> type) {
                    return new ConcurrentHashMap<>(2);
                }
            };

    /** Per anchor class: whether {@link #firstUse} said true for it. */
    private static final ClassValue<java.util.concurrent.atomic.AtomicBoolean> FIRST_USE =
            new ClassValue<java.util.concurrent.atomic.AtomicBoolean>() {
                @Override
                protected java.util.concurrent.atomic.AtomicBoolean computeValue(Class<?> type) {
                    return new java.util.concurrent.atomic.AtomicBoolean();
                }
            };

    /** The anchor of the last {@link #firstUse}, weakly: its next calls say false at once. */
    private static volatile java.lang.ref.WeakReference<Class<?>> lastFirstUse;

    /** Instances handed over by helpers' static initialisers, until {@link #make} takes them. */
    private static final ConcurrentHashMap<Class<?>, Object> CREATED = new ConcurrentHashMap<>();

    private LibraryHelpers() {
    }

    /**
     * Where the helpers' class files are read: binary name to the class file's bytes, or null when there is none.
     * The installer sets it to the agent's own class loader; without it, the system class loader's resources.
     */
    public static void classFiles(Function<String, byte[]> reader) {
        classFiles = reader;
    }

    /**
     * The instance of {@code helperClass} for {@code anchor}'s class loader, made the first time; null when it
     * cannot be made (no class file, a class loader that may not be created, a library without the types it
     * implements: said once with {@code albtrace.debug=true}), so that the caller takes its slower way, always
     * the same one for that loader. Never throws.
     */
    public static Object instance(Class<?> anchor, String helperClass) {
        try {
            ConcurrentHashMap<String, Object> instances = INSTANCES.get(anchor);
            Object instance = instances.get(helperClass);
            if (instance == null) {
                instance = make(anchor, helperClass);
                Object raced = instances.putIfAbsent(helperClass, instance);
                if (raced != null) {
                    instance = raced;
                }
            }
            return instance == NONE ? null : instance;
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * True exactly once per {@code anchor} class (so once per library class loader): for advice that must do
     * something the first time a library is used (register a library's hooks), on a method that runs often. The
     * usual case, the same anchor as the last call, costs two reads. Never throws.
     */
    public static boolean firstUse(Class<?> anchor) {
        java.lang.ref.WeakReference<Class<?>> last = lastFirstUse;
        if (last != null && last.get() == anchor) {
            return false;
        }
        try {
            boolean first = FIRST_USE.get(anchor).compareAndSet(false, true);
            lastFirstUse = new java.lang.ref.WeakReference<Class<?>>(anchor);
            return first;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Called by a helper's static initialiser with its one instance. */
    public static void created(Object instance) {
        CREATED.put(instance.getClass(), instance);
    }

    private static Object make(Class<?> anchor, String helperClass) {
        ClassLoader parent = anchor.getClassLoader();
        try {
            if (parent == null) {
                throw new IllegalStateException("no helper for the bootstrap class loader");
            }
            byte[] bytes = read(helperClass);
            if (bytes == null) {
                throw new IllegalStateException("no class file");
            }
            Class<?> type = new HelperLoader(parent).define(helperClass, bytes);
            Class.forName(helperClass, true, type.getClassLoader());
            Object instance = CREATED.remove(type);
            if (instance == null) {
                throw new IllegalStateException("its static initialiser did not call LibraryHelpers.created");
            }
            return instance;
        } catch (Throwable e) {
            if (Log.debugEnabled()) {
                Log.warnOnce("helper:" + helperClass + ":" + System.identityHashCode(parent), "debug: "
                        + helperClass + " could not be made for " + parent + " (" + e + "); the slower way is used");
            }
            return NONE;
        }
    }

    private static byte[] read(String helperClass) throws IOException {
        Function<String, byte[]> reader = classFiles;
        if (reader != null) {
            return reader.apply(helperClass);
        }
        try (InputStream in = ClassLoader.getSystemResourceAsStream(helperClass.replace('.', '/') + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** A class loader of one helper class, whose parent is the library's loader. */
    private static final class HelperLoader extends ClassLoader {

        HelperLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}

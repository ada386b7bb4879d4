package io.albtrace.weaver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A child-first class loader for the fixture classes: each instance defines its own copy of every class in
 * {@code io.albtrace.weaver.fixtures}, read from the test class path, so a test's target classes
 * are loaded (and transformed) when that test says so. Everything else comes from the parent.
 */
final class FixtureLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String PACKAGE = TestInstrumentations.FIXTURES;

    FixtureLoader(String name) {
        super(name, FixtureLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(PACKAGE)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = bytesOf(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }

    /** The class file of {@code name} as compiled, from the test class path; null when there is none. */
    static byte[] bytesOf(String name) {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = FixtureLoader.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new instance of {@code className} defined by this loader. */
    @SuppressWarnings("unchecked")
    <T> T newInstance(String className) throws ReflectiveOperationException {
        Class<?> type = loadClass(className);
        if (type.getClassLoader() != this) {
            throw new IllegalStateException(className + " was not defined by the fixture loader");
        }
        return (T) type.getConstructor().newInstance();
    }
}

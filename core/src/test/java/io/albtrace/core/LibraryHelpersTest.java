package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LibraryHelpersTest {

    /** A helper as the instrumentations write them: its static initialiser hands over its one instance. */
    public static final class Helper {
        static {
            LibraryHelpers.created(new Helper());
        }
    }

    /** A helper that forgets to hand its instance over. */
    public static final class Silent {
    }

    /** A class of its own class loader, to anchor helpers to a loader other than the test's. */
    public static final class Anchor {
    }

    final AtomicInteger reads = new AtomicInteger();

    @AfterEach
    void defaultReader() {
        LibraryHelpers.classFiles(null);
    }

    /** Reads class files from the test class path, counting the reads. */
    void countingReader() {
        LibraryHelpers.classFiles(new Function<String, byte[]>() {
            @Override
            public byte[] apply(String name) {
                reads.incrementAndGet();
                return classFile(name);
            }
        });
    }

    static byte[] classFile(String name) {
        try (InputStream in = LibraryHelpersTest.class.getClassLoader()
                .getResourceAsStream(name.replace('.', '/') + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh loader that defines {@link Anchor} itself, as a library's own loader defines its classes. */
    static Class<?> anchorInNewLoader() {
        return new ClassLoader(LibraryHelpersTest.class.getClassLoader()) {
            Class<?> anchor() {
                byte[] bytes = classFile(Anchor.class.getName());
                return defineClass(Anchor.class.getName(), bytes, 0, bytes.length);
            }
        }.anchor();
    }

    @Test
    void oneInstancePerLoaderDefinedInALoaderOfItsOwnBelowTheLibrarys() {
        countingReader();
        Class<?> anchor = anchorInNewLoader();
        Object helper = LibraryHelpers.instance(anchor, Helper.class.getName());
        assertNotNull(helper);
        assertEquals(Helper.class.getName(), helper.getClass().getName());
        assertNotSame(Helper.class, helper.getClass(), "defined again, not the test's own class");
        assertSame(anchor.getClassLoader(), helper.getClass().getClassLoader().getParent());
        assertSame(helper, LibraryHelpers.instance(anchor, Helper.class.getName()), "made once");
        assertEquals(1, reads.get());

        Class<?> other = anchorInNewLoader();
        Object second = LibraryHelpers.instance(other, Helper.class.getName());
        assertNotSame(helper, second, "another library loader, another instance");
        assertSame(other.getClassLoader(), second.getClass().getClassLoader().getParent());
        assertEquals(2, reads.get());
    }

    @Test
    void withoutAReaderTheSystemClassLoadersResourcesAreRead() {
        Object helper = LibraryHelpers.instance(anchorInNewLoader(), Helper.class.getName());
        assertNotNull(helper);
        assertEquals(Helper.class.getName(), helper.getClass().getName());
    }

    @Test
    void whatCannotBeMadeIsNullAndIsNotTriedAgain() {
        countingReader();
        Class<?> anchor = anchorInNewLoader();
        assertNull(LibraryHelpers.instance(anchor, "io.albtrace.core.NoSuchHelper"));
        assertNull(LibraryHelpers.instance(anchor, "io.albtrace.core.NoSuchHelper"));
        assertEquals(1, reads.get(), "a missing class file is looked for once per loader");

        assertNull(LibraryHelpers.instance(anchor, Silent.class.getName()), "no instance handed over");
        assertNull(LibraryHelpers.instance(String.class, Helper.class.getName()), "nothing for the bootstrap loader");
    }

    @Test
    void aFailingReaderIsNullNotAThrow() {
        LibraryHelpers.classFiles(new Function<String, byte[]>() {
            @Override
            public byte[] apply(String name) {
                throw new IllegalStateException("broken");
            }
        });
        assertNull(LibraryHelpers.instance(anchorInNewLoader(), Helper.class.getName()));
    }
}

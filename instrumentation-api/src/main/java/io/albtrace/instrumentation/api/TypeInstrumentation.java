package io.albtrace.instrumentation.api;

import java.util.List;

/**
 * The change made to one type: which classes, by exact name (the installer never matches hierarchies at
 * start-up), and which advice goes on which of their methods. Name the implementation after the type it
 * changes and keep its advice beside it.
 */
public interface TypeInstrumentation {

    /** Binary names of the classes to change, e.g. {@code okhttp3.internal.connection.RealCall}. */
    List<String> typeNames();

    /**
     * Says which advice goes on which methods ({@link Methods}). Called only when one of {@link #typeNames()} is
     * being loaded (or by the warm-up), so the weaver's classes are touched here and not before.
     */
    void transform(AdviceTarget target);
}

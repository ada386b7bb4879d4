package io.albtrace.instrumentation.api;


/** Receives the advice a {@link TypeInstrumentation} puts on the type being loaded. */
public interface AdviceTarget {

    /**
     * Inlines the advice class {@code adviceClassName} into every method or constructor that {@code methods}
     * matches. Its {@code @Advice.OnMethodEnter}/{@code OnMethodExit} methods must use
     * {@code suppress = Throwable.class}: a failure inside is reported once and the method runs on unchanged.
     * A type with no matching method (a library version the advice was not written for) is left alone.
     */
    void applyAdvice(MethodMatcher methods, String adviceClassName);

    /**
     * True when the type being changed declares a method or constructor that {@code methods} matches. Lets one
     * type instrumentation pick, by signature, among advice written for different editions of a library (a class
     * of the same name whose methods take {@code javax.servlet} or {@code jakarta.servlet} types) without the
     * warning {@link #applyAdvice} gives a type it finds nothing on.
     */
    boolean declares(MethodMatcher methods);
}

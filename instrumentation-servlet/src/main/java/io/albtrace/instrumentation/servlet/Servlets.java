package io.albtrace.instrumentation.servlet;

/**
 * Constants the advice of both namespaces shares; the compiler inlines them into the advice, so the advice refers to
 * no class of this module at run time.
 */
final class Servlets {

    /** The request attribute holding the context bound at the request's first entry (a String). */
    static final String CONTEXT_ATTRIBUTE = "io.albtrace.context";

    /** The start of the warning given once when the first entry's guarded steps fail. */
    static final String FIRST_ENTRY_FAILED = "servlet: could not keep a request's context in its attributes or set"
            + " the response header (said once); the request goes ahead with its context: ";

    private Servlets() {
    }
}

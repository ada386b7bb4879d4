package io.albtrace.instrumentation.servlet;

import io.albtrace.core.AsyncContexts;

/**
 * Constants the advice of both namespaces shares; the compiler inlines them into the advice, so the advice refers to
 * no class of this module at run time.
 */
final class Servlets {

    /** The request attribute holding the context bound at the request's first entry (a String). */
    static final String CONTEXT_ATTRIBUTE = AsyncContexts.ATTRIBUTE;

    /** The request attribute holding, while the request is asynchronous, what its handler's threads last for. */
    static final String KEPT_ATTRIBUTE = AsyncContexts.KEPT;

    /** The start of the warning given once when the first entry's guarded steps fail. */
    static final String FIRST_ENTRY_FAILED = "servlet: could not keep a request's context in its attributes or set"
            + " the response header (said once); the request goes ahead with its context: ";

    private Servlets() {
    }
}

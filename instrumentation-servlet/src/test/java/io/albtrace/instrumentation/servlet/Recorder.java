package io.albtrace.instrumentation.servlet;

import io.albtrace.contracts.ServerEntryContract;
import java.io.IOException;
import java.util.List;

/**
 * What the test application saw, namespace-neutral, kept where the server entry contract keeps what its application
 * saw ({@link ServerEntryContract#record}): the test reads it after each request.
 */
final class Recorder {

    private Recorder() {
    }

    /** Records the context and the log MDC of this thread at {@code where}. */
    static void record(String where) {
        ServerEntryContract.record(where);
    }

    /** The contexts recorded at {@code where}, in order. */
    static List<String> at(String where) {
        return ServerEntryContract.contextsAt(where);
    }

    /** A GET to the back service with {@code HttpURLConnection} (instrumented: it forwards the context). */
    static void callBack(String path) throws IOException {
        ServerEntryContract.callWithConnection(path);
    }

    static void clear() {
        ServerEntryContract.forget();
    }
}

package io.albtrace.instrumentation.servlet;

import io.albtrace.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the test application saw, namespace-neutral: the test reads it after each request. */
final class Recorder {

    /** The back service's base URL. */
    static volatile String back;
    /** {@code where=context} in the order it happened, with the thread: {@code where=context@thread}. */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    /** The MDC's {@code amzn.trace.root} and {@code amzn.trace.id} the front servlet saw. */
    static final List<String> MDC = new CopyOnWriteArrayList<>();

    private Recorder() {
    }

    static void record(String where) {
        EVENTS.add(where + "=" + Context.current() + "@" + Thread.currentThread().getName());
    }

    static void mdc(String root, String id) {
        MDC.add(root + " " + id);
    }

    /** The contexts recorded at {@code where}, in order. */
    static List<String> at(String where) {
        List<String> found = new ArrayList<>();
        for (String event : EVENTS) {
            if (event.startsWith(where + "=")) {
                found.add(event.substring(where.length() + 1, event.lastIndexOf('@')));
            }
        }
        return found;
    }

    /** A GET to the back service with {@code HttpURLConnection} (instrumented: it forwards the context). */
    static void callBack(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(back + path).openConnection();
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
        } finally {
            connection.disconnect();
        }
    }

    static void clear() {
        EVENTS.clear();
        MDC.clear();
    }
}

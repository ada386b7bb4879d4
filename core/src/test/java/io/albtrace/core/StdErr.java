package io.albtrace.core;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Captures {@code System.err} while a piece of code runs; always restores it. */
final class StdErr {

    interface Body {
        void run() throws Exception;
    }

    private StdErr() {
    }

    /** Runs {@code body} with stderr captured and returns what was written. */
    static String capture(Body body) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        capture.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The non-empty lines of captured output. */
    static List<String> lines(String captured) {
        List<String> lines = new ArrayList<>();
        for (String line : captured.split("\\R")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** How many times {@code needle} occurs in {@code text}. */
    static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }
}

package io.albtrace.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What a test server measures of the headers it received, the way SPEC 3 counts them. */
public final class HeaderLines {

    private HeaderLines() {
    }

    /** All the headers together, each counted as {@code name: value\r\n} in ISO-8859-1 bytes. */
    public static int bytes(List<Map.Entry<String, String>> headers) {
        int n = 0;
        for (Map.Entry<String, String> h : headers) {
            n += h.getKey().getBytes(StandardCharsets.ISO_8859_1).length
                    + h.getValue().getBytes(StandardCharsets.ISO_8859_1).length + 4;
        }
        return n;
    }
}

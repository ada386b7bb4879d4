package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the shared forwarding vectors, as a header the application set, through every HttpClient 5 way. */
class ForwardingVectorsTest extends Http5TestSupport {

    /** The rows of ../shared/vectors/forwarding.tsv (a copy in src/test/resources): name, input, expected. */
    static List<String[]> vectors() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = ForwardingVectorsTest.class.getResourceAsStream("/forwarding.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                assertEquals(3, cols.length, "a vector row has three tab-separated columns: " + line);
                rows.add(cols);
            }
        }
        return rows;
    }

    static List<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (Way5 way : Way5.values()) {
            for (String[] v : vectors()) {
                cases.add(Arguments.of(way, v[0], v[1], v[2]));
            }
        }
        return cases;
    }

    @Test
    void theVectorsAreRead() throws IOException {
        assertTrue(vectors().size() >= 17, "the shared file has 17 rows or more");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardsTheVector(Way5 way, String name, String input, String expected) throws Exception {
        assertNull(Context.current(), "no context is bound in this test");
        start(way);
        String header = "-".equals(input) ? null : input;
        String actual = header == null ? get(way, "/vector/" + name) : get(way, "/vector/" + name, Trace.NAME, header);
        Trace.assertForwarded(expected, header, actual);
    }
}

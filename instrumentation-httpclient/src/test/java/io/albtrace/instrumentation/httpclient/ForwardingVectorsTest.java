package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.testing.Trace;
import io.albtrace.testing.Vectors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the shared forwarding vectors, as a header the application set, through every HttpClient 5 way. */
class ForwardingVectorsTest extends Http5TestSupport {

    /** The rows of the shared forwarding vectors: name, input ("-" for none), expected. */
    static List<String[]> vectors() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (Arguments row : Vectors.rows()) {
            Object[] cols = row.get();
            rows.add(new String[] {(String) cols[0], cols[1] == null ? "-" : (String) cols[1], (String) cols[2]});
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

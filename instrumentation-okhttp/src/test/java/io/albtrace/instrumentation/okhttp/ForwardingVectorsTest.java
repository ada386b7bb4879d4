package io.albtrace.instrumentation.okhttp;

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
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the shared forwarding vectors, as a header the application set on an OkHttp request. */
class ForwardingVectorsTest extends OkHttpTestSupport {

    static List<Arguments> vectors() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = ForwardingVectorsTest.class.getResourceAsStream("/forwarding.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                assertEquals(3, cols.length, "a vector row has three tab-separated columns: " + line);
                rows.add(Arguments.of(cols[0], cols[1], cols[2]));
            }
        }
        return rows;
    }

    @Test
    void theVectorsAreRead() throws IOException {
        assertTrue(vectors().size() >= 20, "the shared file has 20 rows or more");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void forwardsTheVector(String name, String input, String expected) throws IOException {
        assertNull(Context.current(), "no context is bound in this test");
        Request.Builder b = request("/vector/" + name);
        String header = "-".equals(input) ? null : input;
        if (header != null) {
            b.header(Trace.NAME, header);
        }
        assertEquals("ok", execute(b.build()));
        RecordingServer.Received r = server.only();
        Trace.assertForwarded(expected, header, r.traceHeader());
    }
}

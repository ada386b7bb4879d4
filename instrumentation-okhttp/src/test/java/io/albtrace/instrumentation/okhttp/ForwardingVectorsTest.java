package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.albtrace.testing.Vectors;
import java.io.IOException;
import java.util.List;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the shared forwarding vectors, as a header the application set on an OkHttp request. */
class ForwardingVectorsTest extends OkHttpTestSupport {

    static List<Arguments> vectors() throws IOException {
        return Vectors.rows();
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

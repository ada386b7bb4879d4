package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proof of which HttpClient 4.5 this test run uses (beside HttpClient 5 on the class path): the instrumented classes
 * come from httpclient 4.5.14 and httpcore 4.4.16, and the server sees that version's User-Agent. The contract runs in
 * {@link HttpClient4ClientContractTest}.
 */
@ExtendWith(InstalledAgent.class)
class HttpClient4LineTest {

    @Test
    void theClassesAndTheUserAgentAreThoseOf4514() throws Exception {
        assertEquals("httpclient-4.5.14.jar", jarOf(Class.forName("org.apache.http.impl.client.InternalHttpClient")));
        assertEquals("httpcore-4.4.16.jar", jarOf(org.apache.http.impl.DefaultBHttpClientConnection.class));
        try (RecordingServer server = new RecordingServer()) {
            assertEquals(200, Way4.DEFAULT.send(Way4.DEFAULT.request("GET", server.url("/ua"))).status);
            Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
            String ua = server.only().header("User-Agent");
            assertTrue(ua.startsWith("Apache-HttpClient/4.5.14 "), ua);
        }
    }

    private static String jarOf(Class<?> type) throws URISyntaxException {
        return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
    }
}

package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proof of which HttpClient 5 line this test run uses: each surefire execution names the versions it put on the
 * class path ({@code httpclient5.test.version}, {@code httpcore5.test.version}) and the classes really loaded, the
 * instrumented ones included, must come from those jars; the server sees that version's User-Agent. The contract runs
 * in {@link Http5ClientContractTest}.
 */
@ExtendWith(InstalledAgent.class)
class Http5LineTest {

    static String property(String name) {
        String v = System.getProperty(name);
        assertNotNull(v, "the surefire execution must set -D" + name);
        return v;
    }

    static String jarOf(String className) throws URISyntaxException, ClassNotFoundException {
        Class<?> type = Class.forName(className);
        Path p = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return p.getFileName().toString();
    }

    @Test
    void theInstrumentedClassesComeFromTheExpectedJars() throws Exception {
        String client = "httpclient5-" + property("httpclient5.test.version") + ".jar";
        String core = "httpcore5-" + property("httpcore5.test.version") + ".jar";
        String h2 = "httpcore5-h2-" + property("httpcore5.test.version") + ".jar";
        assertEquals(client, jarOf("org.apache.hc.client5.http.impl.classic.InternalHttpClient"));
        assertEquals(client, jarOf("org.apache.hc.client5.http.impl.classic.MinimalHttpClient"));
        assertEquals(client, jarOf("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient"));
        assertEquals(client, jarOf("org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec"));
        assertEquals(client, jarOf("org.apache.hc.client5.http.impl.async.H2AsyncMainClientExec"));
        assertEquals(core, jarOf("org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection"));
        assertEquals(core, jarOf("org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter"));
        assertEquals(h2, jarOf("org.apache.hc.core5.http2.impl.DefaultH2RequestConverter"));
        assertEquals("httpclient5-fluent-" + property("httpclient5.fluent.test.version") + ".jar",
                jarOf("org.apache.hc.client5.http.fluent.Request"));
    }

    @Test
    void theServerSeesThatVersionsUserAgentAndAForwardedHeader() throws Exception {
        try (RecordingServer server = new RecordingServer()) {
            assertEquals(200, Way5.CLASSIC_DEFAULT.send(Way5.CLASSIC_DEFAULT.request("GET", server.url("/ua"))).status);
            Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
            String ua = server.only().header("User-Agent");
            assertTrue(ua.startsWith("Apache-HttpClient/" + property("httpclient5.test.version") + " "), ua);
        }
    }
}

package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.instrumentation.api.Installer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Executors;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/**
 * Runs in a JVM of its own (the pom's modules-disabled execution) with
 * {@code albtrace.instrumentation.jdk-httpclient.enabled=false} and {@code http-url-connection} off too, the
 * server entry on: the clients' requests leave exactly as the application made them.
 */
class DisabledModulesTest {

    @Test
    void switchedOffClientsLeaveTheWireUntouched() throws Exception {
        Config config = Config.current();
        assertFalse(config.instrumentationEnabled("jdk-httpclient"), "run by the modules-disabled execution");
        assertFalse(config.instrumentationEnabled("http-url-connection"));
        assertTrue(config.instrumentationEnabled("jdk-httpserver"));
        Installer installer = Installer.install(ByteBuddyAgent.install(), getClass().getClassLoader());
        assertEquals(java.util.Set.of("com.sun.net.httpserver.Filter$Chain"), installer.typeNames());

        String two = "Root=1-5759e988-bd862e3fe1be46a994272793";
        try (RecordingServer back = new RecordingServer();
                Front front = new Front(Executors.newSingleThreadExecutor(), null)) {
            front.handle("/front", exchange -> {
                try {
                    String seen = String.valueOf(Context.current());
                    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(back.url("/client"))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    HttpURLConnection c = (HttpURLConnection) new URL(back.url("/connection")).openConnection();
                    c.addRequestProperty(Trace.NAME, "Root=" + Trace.ROOT);
                    c.addRequestProperty(Trace.NAME, two);
                    c.getInputStream().close();
                    Front.respond(exchange, 200, seen);
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
            });
            Front.Called r = front.call("/front", "Root=" + Trace.ROOT);
            assertEquals("Root=" + Trace.ROOT, r.body, "the server entry point is still on");
            List<RecordingServer.Received> calls = back.received();
            assertEquals(List.of(), calls.get(0).traceHeaders(), "no header added: the context is not forwarded");
            assertEquals(List.of("Root=" + Trace.ROOT, two), calls.get(1).traceHeaders(), "both copies, unchanged");
        }
        assertNull(Context.current());
    }
}

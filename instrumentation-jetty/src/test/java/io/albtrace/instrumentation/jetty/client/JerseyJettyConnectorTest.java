package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import java.util.List;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.jetty.connector.JettyConnectorProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jersey's client on its Jetty connector (jersey-jetty-connector 4.0.2 on Jetty client 12.1.14), synchronous: a
 * call made in a context forwards it with a Self of its own, one header; the application's own header wins; a call
 * outside any context gets a new Root.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class JerseyJettyConnectorTest {

    @Test
    void jerseyOnJettyForwardsTheCallersContext() throws Exception {
        Client jersey = ClientBuilder.newClient(new ClientConfig().connectorProvider(new JettyConnectorProvider()));
        try (RecordingServer server = new RecordingServer()) {
            String own = "Root=" + Trace.ROOT.replace("abcdef", "fedcba") + ";Mine=1";
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                assertEquals("ok", jersey.target(server.url("/in-context")).request().get(String.class));
                assertEquals("ok", jersey.target(server.url("/own")).request().header(Trace.NAME, own)
                        .get(String.class));
            }
            assertEquals("ok", jersey.target(server.url("/none")).request().get(String.class));
            List<RecordingServer.Received> all = server.received();
            assertEquals(3, all.size());
            assertEquals(1, all.get(0).traceHeaders().size());
            Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
            Trace.self(all.get(1).traceHeader(), own);
            Trace.assertForwarded("Root={NEW}", Trace.CONTEXT, all.get(2).traceHeader());
            assertNull(Context.current());
        } finally {
            jersey.close();
        }
    }
}

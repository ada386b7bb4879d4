package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.http.client.JettyClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Spring's {@code RestClient} on {@code JettyClientHttpRequestFactory} (spring-web 7.0.9, Jetty client 12.1.14): a
 * call made in a context forwards it with a Self of its own, one header, the application's own header wins, and a
 * call outside any context gets a new Root.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class SpringJettyRequestFactoryTest {

    @Test
    void restClientOnJettyForwardsTheCallersContext() throws Exception {
        HttpClient jetty = new HttpClient();
        jetty.start();
        try (RecordingServer server = new RecordingServer()) {
            RestClient rest = RestClient.builder().requestFactory(new JettyClientHttpRequestFactory(jetty)).build();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                assertEquals("ok", rest.get().uri(server.url("/in-context")).retrieve().body(String.class));
                assertEquals("ok", rest.get().uri(server.url("/own")).header(Trace.NAME, "Root=" + Trace.ROOT
                        .replace("abcdef", "fedcba") + ";Mine=1").retrieve().body(String.class));
            }
            assertEquals("ok", rest.get().uri(server.url("/none")).retrieve().body(String.class));
            List<RecordingServer.Received> all = server.received();
            assertEquals(3, all.size());
            assertEquals(1, all.get(0).traceHeaders().size());
            Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
            Trace.self(all.get(1).traceHeader(), "Root=" + Trace.ROOT.replace("abcdef", "fedcba") + ";Mine=1");
            Trace.assertForwarded("Root={NEW}", Trace.CONTEXT, all.get(2).traceHeader());
            assertNull(Context.current());
        } finally {
            jetty.stop();
        }
    }
}

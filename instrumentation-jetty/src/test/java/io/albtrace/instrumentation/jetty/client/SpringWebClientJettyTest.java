package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.http.client.reactive.JettyClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Spring WebFlux's {@code WebClient} on {@code JettyClientHttpConnector} (spring-webflux 7.0.9, Jetty's reactive
 * client jetty-reactive-httpclient 4.1.5 on Jetty client 12.1.14), subscribed where the application blocks: a call
 * made in a context forwards it with a Self of its own, one header; the application's own header wins; a call
 * outside any context gets a new Root.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class SpringWebClientJettyTest {

    @Test
    void webClientOnJettyForwardsTheCallersContext() throws Exception {
        HttpClient jetty = new HttpClient();
        jetty.start();
        try (RecordingServer server = new RecordingServer()) {
            WebClient web = WebClient.builder().clientConnector(new JettyClientHttpConnector(jetty)).build();
            String own = "Root=" + Trace.ROOT.replace("abcdef", "fedcba") + ";Mine=1";
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                assertEquals("ok", web.get().uri(server.url("/in-context")).retrieve().bodyToMono(String.class)
                        .block(Duration.ofSeconds(20)));
                assertEquals("ok", web.get().uri(server.url("/own")).header(Trace.NAME, own).retrieve()
                        .bodyToMono(String.class).block(Duration.ofSeconds(20)));
            }
            assertEquals("ok", web.get().uri(server.url("/none")).retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(20)));
            List<RecordingServer.Received> all = server.received();
            assertEquals(3, all.size());
            assertEquals(1, all.get(0).traceHeaders().size());
            Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
            Trace.self(all.get(1).traceHeader(), own);
            Trace.assertForwarded("Root={NEW}", Trace.CONTEXT, all.get(2).traceHeader());
            assertNull(Context.current());
        } finally {
            jetty.stop();
        }
    }
}

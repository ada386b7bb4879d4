package io.albtrace.instrumentation.jetty.server;

import io.albtrace.testing.KeptAlive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * {@code albtrace.instrumentation.jetty.enabled=false} (set for this test's JVM in the pom's
 * {@code jetty-server-disabled} execution): Jetty's server is left as it is; a request with a header is served with no
 * context.
 */
class JettyServerDisabledTest {

    @Test
    void theModuleIsFoundUnderItsConfigurationNameAndLeavesTheServerAlone() throws Exception {
        // only in the jetty-server-disabled execution (the others leave it out; a -Dtest naming it runs it everywhere)
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("jetty.server.disabled.tests"));
        Set<String> names = Installer.discover(JettyServerDisabledTest.class.getClassLoader()).stream()
                .map(InstrumentationModule::name).collect(Collectors.toSet());
        assertTrue(names.contains("jetty"), names::toString);
        assertTrue(Config.INSTRUMENTATIONS.contains("jetty"));
        assertEquals(false, Config.current().instrumentationEnabled("jetty"));
        TestAgent.install("jetty (off)", List.of(), true);
        try (JettyServer server = new JettyServer(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                JettyServer.answer(response, callback, 200, io.albtrace.contracts.ServerEntryContract.observe());
                return true;
            }
        }); KeptAlive connection = new KeptAlive(server.port())) {
            assertEquals("null | null | null", connection.get("/", Trace.CONTEXT));
        }
    }
}

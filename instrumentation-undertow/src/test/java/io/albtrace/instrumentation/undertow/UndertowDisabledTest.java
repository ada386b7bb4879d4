package io.albtrace.instrumentation.undertow;

import io.albtrace.testing.KeptAlive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import io.undertow.server.handlers.BlockingHandler;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code albtrace.instrumentation.undertow.enabled=false} (set for this test's JVM in the pom's
 * {@code undertow-disabled} execution): Undertow is left as it is; a request with a header is served with no context,
 * on the I/O thread and on a worker.
 */
class UndertowDisabledTest {

    @Test
    void theModuleIsFoundUnderItsConfigurationNameAndLeavesUndertowAlone() throws Exception {
        // only in the undertow-disabled execution (the others exclude it; a -Dtest naming it runs it everywhere)
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "false".equals(System.getProperty("albtrace.instrumentation.undertow.enabled")));
        Set<String> names = Installer.discover(UndertowDisabledTest.class.getClassLoader()).stream()
                .map(InstrumentationModule::name).collect(Collectors.toSet());
        assertTrue(names.contains("undertow"), names::toString);
        assertTrue(Config.INSTRUMENTATIONS.contains("undertow"));
        assertEquals(false, Config.current().instrumentationEnabled("undertow"));
        TestAgent.install("undertow (off)", List.of(), true);
        try (UndertowServer server = new UndertowServer(exchange -> {
            if (exchange.getRequestPath().startsWith("/io")) {
                UndertowThreadsTest.answer(exchange);
            } else {
                new BlockingHandler(UndertowThreadsTest::answer).handleRequest(exchange);
            }
        }); KeptAlive connection = new KeptAlive(server.port())) {
            assertEquals("null | null | null | io", connection.get("/io", Trace.CONTEXT));
            assertEquals("null | null | null | worker", connection.get("/worker", Trace.CONTEXT));
        }
    }
}

package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.weaver.Installer;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/**
 * {@code albtrace.instrumentation.jetty-httpclient.enabled=false}: the installer installs nothing for this module.
 */
class DisabledTest {

    @Test
    void theModuleIsFoundUnderItsConfigurationName() {
        List<String> names = Installer.discover(DisabledTest.class.getClassLoader()).stream()
                .map(InstrumentationModule::name).collect(Collectors.toList());
        assertEquals(List.of("jetty-httpclient", "jetty"), names, "the client, and the core server (jetty.server)");
        assertTrue(Config.INSTRUMENTATIONS.contains("jetty-httpclient"));
    }

    @Test
    void switchedOffNothingIsInstalled() {
        Properties p = new Properties();
        p.setProperty(Config.instrumentationKey("jetty-httpclient"), "false");
        p.setProperty(Config.instrumentationKey("jetty"), "false"); // this jar's other module, the core server's
        Config off = Config.load(p, Map.of());
        assertEquals(List.of(), off.problems());
        Config previous = Config.install(off);
        try {
            assertNull(Installer.install(ByteBuddyAgent.install(), DisabledTest.class.getClassLoader()),
                    "no transformer is added when the modules are off");
        } finally {
            Config.install(previous);
        }
    }
}

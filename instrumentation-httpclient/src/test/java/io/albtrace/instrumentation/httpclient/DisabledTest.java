package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/**
 * {@code albtrace.instrumentation.apache-httpclient.enabled=false}: the installer installs nothing for this
 * module, so no HttpClient class is changed. (That the wire is then untouched end to end, through the agent jar,
 * belongs to the smoke tests: in this JVM the classes are already instrumented by the other tests.)
 */
class DisabledTest {

    @Test
    void theModuleIsFoundUnderItsConfigurationName() {
        List<String> names = Installer.discover(DisabledTest.class.getClassLoader()).stream()
                .map(InstrumentationModule::name).collect(Collectors.toList());
        assertEquals(List.of("apache-httpclient", "apache-httpasyncclient"), names);
        assertTrue(Config.INSTRUMENTATIONS.contains("apache-httpclient"));
        assertTrue(Config.INSTRUMENTATIONS.contains("apache-httpasyncclient"));
    }

    @Test
    void switchedOffNothingIsInstalled() {
        Properties p = new Properties();
        p.setProperty(Config.instrumentationKey("apache-httpclient"), "false");
        p.setProperty(Config.instrumentationKey("apache-httpasyncclient"), "false");
        Config off = Config.load(p, Map.of());
        assertEquals(List.of(), off.problems());
        Config previous = Config.install(off);
        try {
            assertNull(Installer.install(ByteBuddyAgent.install(), DisabledTest.class.getClassLoader()),
                    "no transformer is added when both modules are off");
        } finally {
            Config.install(previous);
        }
    }
}

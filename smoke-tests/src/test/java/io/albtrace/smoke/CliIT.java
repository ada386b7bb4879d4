package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code java -jar albtrace-agent.jar [help|version]}; {@code attach} is {@link AttachIT}'s. */
class CliIT {

    private static final List<String> KEYS = List.of("albtrace.config", "albtrace.enabled",
            "albtrace.max.header.bytes", "albtrace.response.header", "albtrace.mdc.enabled", "albtrace.debug",
            "albtrace.instrumentation.okhttp.enabled");

    @Test
    void versionPrintsTheVersion() {
        Jvm.Result r = Jvm.java().named("cli-version").jar(Jvm.AGENT_JAR, "version");
        assertEquals(0, r.exit(), r.dump());
        assertEquals("albtrace " + Jvm.VERSION + "\n", r.out().replace("\r\n", "\n"), r.dump());
        assertEquals("", r.err(), r.dump());
    }

    @Test
    void helpPrintsTheUsageWithEverySetting() {
        for (String[] args : List.of(new String[] {"help"}, new String[0])) {
            Jvm.Result r = Jvm.java().named("cli-help").jar(Jvm.AGENT_JAR, args);
            assertEquals(0, r.exit(), r.dump());
            assertTrue(r.out().startsWith("albtrace " + Jvm.VERSION), r.dump());
            assertTrue(r.out().contains("-javaagent:"), r.dump());
            assertTrue(r.out().contains("JAVA_TOOL_OPTIONS"), r.dump());
            assertTrue(r.out().contains("java -jar albtrace-agent.jar attach PID [key=value"), r.dump());
            assertTrue(r.out().contains("-XX:+EnableDynamicAgentLoading"), r.dump());
            for (String key : KEYS) {
                assertTrue(r.out().contains(key), key + r.dump());
                String env = key.toUpperCase().replace('.', '_').replace('-', '_');
                assertTrue(r.out().contains(env), env + r.dump());
            }
            assertEquals("", r.err(), r.dump());
        }
    }

    @Test
    void anUnknownCommandExitsWithTwo() {
        Jvm.Result r = Jvm.java().named("cli-unknown").jar(Jvm.AGENT_JAR, "frobnicate");
        assertEquals(2, r.exit(), r.dump());
        assertTrue(r.errLines().get(0).equals("[albtrace] unknown command 'frobnicate'"), r.dump());
        assertEquals("", r.out(), "the usage goes to stderr" + r.dump());
    }
}

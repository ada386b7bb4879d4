package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC section 6 from the outside: the settings, as properties and environment variables, good and bad. */
class SettingsIT {

    @Test
    void switchedOffByAPropertyNothingChangesOnTheWire() {
        Jvm.Result r = Jvm.java().named("off").jvmArgs("-Dalbtrace.enabled=false", Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput d = DemoOutput.of(r).assertUnchanged();
        assertTrue(d.agentLine.startsWith("agent: ATTACHED"), d.agentLine);
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void switchedOffByTheEnvironmentNothingChangesOnTheWire() {
        Jvm.Result r = Jvm.java().named("off-env").env("ALBTRACE_ENABLED", "false").jvmArgs(Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertUnchanged();
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    /** One instrumentation off, by property or environment: its clients send what the code set, the others forward. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "property, okhttp",
        "environment, apache-httpclient",
        "property, jdk-httpclient",
        "environment, http-url-connection"})
    void oneInstrumentationSwitchedOffLeavesOnlyItsClientsUnchanged(String how, String name) {
        Jvm jvm = Jvm.java().named("off-" + name);
        if (how.equals("property")) {
            jvm.jvmArgs("-Dalbtrace.instrumentation." + name + ".enabled=false", Jvm.javaagent());
        } else {
            jvm.env("ALBTRACE_INSTRUMENTATION_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                    + "_ENABLED", "false").jvmArgs(Jvm.javaagent());
        }
        Jvm.Result r = jvm.jar(Jvm.DEMO_JAR);
        Set<String> off = DemoOutput.clientsOf(name);
        Set<String> on = new HashSet<>(DemoOutput.CLIENTS.keySet());
        on.removeAll(off);
        DemoOutput.of(r).assertUnchanged(off).assertForwardedPerSpec(on);
        assertTrue(r.out().contains("instrumentation switched off: " + name), r.dump());
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    /** Settings after {@code -javaagent:albtrace-agent.jar=} (the form {@code attach} passes): over the JVM's own. */
    @Test
    void agentArgumentsWinOverSystemProperties() {
        Jvm.Result r = Jvm.java().named("agent-arguments").jvmArgs("-Dalbtrace.instrumentation.okhttp.enabled=true",
                Jvm.javaagent() + "=albtrace.instrumentation.okhttp.enabled=false").jar(Jvm.DEMO_JAR);
        Set<String> off = DemoOutput.clientsOf("okhttp");
        Set<String> on = new HashSet<>(DemoOutput.CLIENTS.keySet());
        on.removeAll(off);
        DemoOutput.of(r).assertUnchanged(off).assertForwardedPerSpec(on);
        assertTrue(r.out().contains("instrumentation switched off: okhttp"), r.dump());
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        Jvm.Result r = Jvm.java().named("property-wins").env("ALBTRACE_ENABLED", "false")
                .jvmArgs("-Dalbtrace.enabled=true", Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void byteBuddyAsTheWeaverGivesTheSameHeaders() {
        // the weaver before the agent's own ASM one, kept as its fallback: still whole in the relocated jar
        Jvm.Result r = Jvm.java().named("weaver-bytebuddy").jvmArgs("-Dalbtrace.weaver=bytebuddy", Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-Dalbtrace.max.header.bytes=abc | albtrace.max.header.bytes=abc",
        "-Dalbtrace.weaver=javassist     | albtrace.weaver=jav...(9 characters, not shown whole) is not asm",
        "-Dalbtrace.nope=1               | albtrace.nope"})
    void aBadSettingIsReportedOnceAndTheDefaultsApply(String property, String mentioned) {
        Jvm.Result r = Jvm.java().named("bad" + property).jvmArgs(property, Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec(); // the defaults: 7 KB is far above these headers
        List<String> lines = r.agentLines();
        assertEquals(1, lines.size(), "one message" + r.dump());
        assertTrue(lines.get(0).startsWith("[albtrace] ") && lines.get(0).contains(mentioned), r.dump());
        assertEquals(1, r.errLines().stream().filter(l -> l.contains(mentioned)).count(), "said once" + r.dump());
    }

    @Test
    void aBadEnvironmentValueIsReportedOnceToo() {
        Jvm.Result r = Jvm.java().named("bad-env").env("ALBTRACE_MAX_HEADER_BYTES", "-5").jvmArgs(Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(1, r.agentLines().size(), r.dump());
        assertTrue(r.agentLines().get(0).contains("albtrace.max.header.bytes=-5"), r.dump());
    }

    @Test
    void debugPrintsTheInstrumentedClassAndEveryRewrite() {
        Jvm.Result r = Jvm.java().named("debug").jvmArgs("-Dalbtrace.debug=true", Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput d = DemoOutput.of(r).assertForwardedPerSpec();
        List<String> debug = r.agentLines().stream().filter(l -> l.startsWith("[albtrace] debug: "))
                .collect(Collectors.toList());
        assertEquals(r.agentLines(), debug, "only debug lines" + r.dump());
        assertTrue(debug.stream().anyMatch(l -> l.startsWith("[albtrace] debug: instrumented "
                + "okhttp3.internal.connection.RealCall ")), "the instrumented class" + r.dump());
        // the agent jar's own (relocated) ASM weaver did every class of the demo: none was left to Byte Buddy
        assertEquals(List.of(), debug.stream().filter(l -> l.contains(" with Byte Buddy: "))
                .collect(Collectors.toList()), r.dump());
        assertTrue(debug.stream().filter(l -> l.startsWith("[albtrace] debug: instrumented ")).count() >= 10,
                "the demo's clients, server and executors were instrumented" + r.dump());
        List<String> rewrites = debug.stream().filter(l -> l.startsWith("[albtrace] debug: forward "))
                .collect(Collectors.toList());
        int calls = DemoOutput.EXPECTED.size() * DemoOutput.CLIENTS.size();
        assertEquals(calls, rewrites.size(), "one rewrite per call" + r.dump());
        for (DemoOutput.Expected e : DemoOutput.EXPECTED) {
            for (String client : DemoOutput.CLIENTS.keySet()) {
                String arrived = d.scenarios.get(e.name()).get(client).get(0);
                assertEquals(1, rewrites.stream().filter(l -> l.endsWith("-> [" + arrived + "]")).count(),
                        e.name() + " " + client + ": the rewrite to [" + arrived + "] is logged" + r.dump());
            }
        }
    }
}

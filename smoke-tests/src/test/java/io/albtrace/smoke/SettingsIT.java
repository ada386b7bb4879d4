package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC section 6 from the outside: the settings, as properties and environment variables, good and bad. */
class SettingsIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-Dalbtrace.enabled=false", "-Dalbtrace.instrumentation.okhttp.enabled=false"})
    void switchedOffByAPropertyNothingChangesOnTheWire(String property) {
        Jvm.Result r = Jvm.java().named("off" + property).jvmArgs(property, Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput d = DemoOutput.of(r).assertUnchanged();
        assertTrue(d.agentLine.startsWith("agent: ATTACHED"), d.agentLine);
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"ALBTRACE_ENABLED,false", "ALBTRACE_INSTRUMENTATION_OKHTTP_ENABLED,false"})
    void switchedOffByTheEnvironmentNothingChangesOnTheWire(String variable, String value) {
        Jvm.Result r = Jvm.java().named("off-env-" + variable).env(variable, value).jvmArgs(Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertUnchanged();
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        Jvm.Result r = Jvm.java().named("property-wins").env("ALBTRACE_ENABLED", "false")
                .jvmArgs("-Dalbtrace.enabled=true", Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-Dalbtrace.max.header.bytes=abc | albtrace.max.header.bytes=abc",
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
        List<String> rewrites = debug.stream().filter(l -> l.startsWith("[albtrace] debug: forward "))
                .collect(Collectors.toList());
        assertEquals(DemoOutput.EXPECTED.size(), rewrites.size(), "one rewrite per call" + r.dump());
        for (DemoOutput.Expected e : DemoOutput.EXPECTED) {
            String arrived = d.scenarios.get(e.name()).arrived.get(0);
            assertEquals(1, rewrites.stream().filter(l -> l.endsWith("-> [" + arrived + "]")).count(),
                    e.name() + ": the rewrite to [" + arrived + "] is logged" + r.dump());
        }
    }
}

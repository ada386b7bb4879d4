package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The demo application with and without the agent, attached the ways users attach it. */
class DemoIT {

    @Test
    void withTheAgentEveryScenarioArrivesAsSpecSays() {
        Jvm.Result r = Jvm.java().named("demo-agent").jvmArgs(Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(List.of(), r.agentLines(), "the agent says nothing in a normal run" + r.dump());
        assertTrue(r.took().toMillis() < 20_000, "the demo is quick" + r.dump());
    }

    @Test
    void withoutTheAgentTheHeadersArriveUnchanged() {
        Jvm.Result r = Jvm.java().named("demo-no-agent").jar(Jvm.DEMO_JAR);
        DemoOutput d = DemoOutput.of(r).assertUnchanged();
        assertTrue(d.agentLine.startsWith("agent: NOT ATTACHED"), d.agentLine);
        assertEquals("", r.err(), r.dump());
    }

    @Test
    void javaToolOptionsAttachesItTheSameWay() {
        Jvm.Result r = Jvm.java().named("demo-java-tool-options").env("JAVA_TOOL_OPTIONS", Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertEquals(List.of(), r.agentLines(), r.dump());
        assertTrue(r.err().contains("Picked up JAVA_TOOL_OPTIONS: " + Jvm.javaagent()), r.dump());
    }

    @Test
    void theSameJarGivenTwiceInstallsOnceAndSaysSoOnce() {
        Jvm.Result r = Jvm.java().named("demo-agent-twice").jvmArgs(Jvm.javaagent(), Jvm.javaagent())
                .jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec(); // exact headers: rewritten once, not twice
        List<String> already = r.agentLines().stream()
                .filter(l -> l.startsWith("[albtrace] the agent is already installed")).collect(Collectors.toList());
        assertEquals(1, already.size(), r.dump());
        assertEquals(1, r.agentLines().size(), "no other message" + r.dump());
    }

    @Test
    void onJava25Too() {
        assumeTrue(Jvm.jdks().contains(Jvm.JDK25), "no JDK 25 at " + Jvm.JDK25);
        Jvm.Result r = Jvm.java().named("demo-agent-jdk25").home(Jvm.JDK25).jvmArgs(Jvm.javaagent()).jar(Jvm.DEMO_JAR);
        DemoOutput.of(r).assertForwardedPerSpec();
        assertTrue(r.out().contains("on Java 25"), r.dump());
        assertEquals(List.of(), r.agentLines(), r.dump());
        assertTrue(r.errLines().stream().noneMatch(l -> l.startsWith("WARNING")), "no JVM warnings" + r.dump());
    }
}

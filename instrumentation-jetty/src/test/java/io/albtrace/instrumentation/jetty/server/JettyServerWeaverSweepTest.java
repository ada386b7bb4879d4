package io.albtrace.instrumentation.jetty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.weaver.WeaverSweep;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every method of every class the jetty (core server) instrumentation targets, in the Jetty version on the class
 * path, woven with each kind of advice the agent uses and checked by ASM and by a forked JVM's verifier
 * ({@link WeaverSweep}).
 */
class JettyServerWeaverSweepTest {

    @Test
    void everyTargetMethodWeavesIntoVerifiableCode() {
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(new JettyServerInstrumentationModule()),
                getClass().getClassLoader(), System.getProperty("java.class.path"));
        System.out.println(result + ": " + result.classes);
        assertEquals(2, result.classes.size(), "both targets on this class path: " + result.absent);
        assertEquals(List.of(), result.problems());
    }
}

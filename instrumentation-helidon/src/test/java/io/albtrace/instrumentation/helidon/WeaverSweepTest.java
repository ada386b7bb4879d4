package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.weaver.WeaverSweep;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every method of every class this module targets, in the Helidon 4.5.0 on the class path, woven with each kind of
 * advice the agent uses and checked by ASM and by a forked JVM's verifier ({@link WeaverSweep}).
 */
class WeaverSweepTest {

    @Test
    void everyTargetMethodWeavesIntoVerifiableCode() {
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(new HelidonInstrumentationModule()),
                getClass().getClassLoader(), System.getProperty("java.class.path"));
        System.out.println(result + ": " + result.classes);
        assertEquals(java.util.Set.of(), result.absent, "every target class is on this class path");
        assertEquals(List.of(), result.problems());
    }
}

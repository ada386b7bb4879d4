package io.albtrace.instrumentation.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.albtrace.weaver.WeaverSweep;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every method of every class this module targets, in the Undertow version on the class path, woven with each kind
 * of advice the agent uses and checked by ASM and by a forked JVM's verifier ({@link WeaverSweep}). Each of this
 * module's test executions runs it, so it sees each version they test.
 */
class UndertowWeaverSweepTest {

    @Test
    void everyTargetMethodWeavesIntoVerifiableCode() {
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(new UndertowInstrumentationModule()),
                getClass().getClassLoader(), System.getProperty("java.class.path"));
        System.out.println(result + ": " + result.classes);
        assertEquals(2, result.classes.size(), "both targets on this class path: " + result.absent);
        assertFalse(result.classes.isEmpty());
        assertEquals(List.of(), result.problems());
    }
}

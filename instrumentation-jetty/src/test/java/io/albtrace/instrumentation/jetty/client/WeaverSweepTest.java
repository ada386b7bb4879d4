package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.weaver.WeaverSweep;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every method of every class this module targets, in the Jetty client on the class path (12) and in each older
 * line's ({@link OldJetty}), woven with each kind of advice the agent uses and checked by ASM and by a forked JVM's
 * verifier ({@link WeaverSweep}).
 */
class WeaverSweepTest {

    @Test
    void everyTargetMethodWeavesIntoVerifiableCode() {
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(new JettyHttpClientInstrumentationModule()),
                getClass().getClassLoader(), System.getProperty("java.class.path"));
        System.out.println(result + ": " + result.classes);
        assertFalse(result.classes.isEmpty(), "no target class on this class path: " + result.absent);
        assertEquals(List.of(), result.problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9.4", "10", "11"})
    void everyTargetMethodOfAnOlderLineWeavesIntoVerifiableCode(String line) {
        File[] jars = new File(System.getProperty("jetty.old.dir"), line).listFiles((d, n) -> n.endsWith(".jar"));
        // the forked JVM's class path: the line's jars before this one's (which has Jetty 12's)
        String classPath = Arrays.stream(jars).map(File::getPath).collect(Collectors.joining(File.pathSeparator))
                + File.pathSeparator + System.getProperty("java.class.path");
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(new JettyHttpClientInstrumentationModule()),
                OldJetty.loader(line), classPath);
        System.out.println(result + ": " + result.classes);
        assertEquals(Set.of(Jetty9RequestSendInstrumentation.TYPE, Jetty9NormalizeRequestInstrumentation.TYPE),
                Set.copyOf(result.classes.keySet()), "the older line's targets, from its jars: " + result.classes);
        assertTrue(result.classes.values().stream().allMatch(jar -> jar.contains(File.separator + line
                + File.separator)), "from the line's own jars: " + result.classes);
        assertEquals(List.of(), result.problems());
    }
}

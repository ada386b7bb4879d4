package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SPEC section 7: an application with its own Byte Buddy, of another version, is unaffected. */
class OwnByteBuddyIT {

    private static final String APP = "io.albtrace.smoke.app.OwnByteBuddyApp";
    private static final String SENT = "Root=1-67891233-abcdef012345678912345678;CalledFrom=app";

    @Test
    void theApplicationsByteBuddyWorksAndTheHeaderIsStillForwarded() {
        Jvm.Result r = Jvm.java().named("own-bytebuddy").jvmArgs(Jvm.javaagent())
                .main(Jvm.testAppClassPath(), APP);
        assertEquals(0, r.exit(), r.dump());
        assertOwnByteBuddyUsed(r);
        List<String> arrived = values(r, "arrived : ");
        assertEquals(2, arrived.size(), r.dump());
        for (String a : arrived) {
            assertTrue(a.matches("Self=" + DemoOutput.NEW_ID + ";Root=1-67891233-abcdef012345678912345678;CalledFrom=app"),
                    a + r.dump());
        }
        assertTrue(!arrived.get(0).equals(arrived.get(1)), "each call its own Self" + r.dump());
        assertEquals(List.of(), r.agentLines(), r.dump());
    }

    @Test
    void withoutTheAgentTheSameApplicationSendsItsHeaderAsIs() {
        Jvm.Result r = Jvm.java().named("own-bytebuddy-no-agent").main(Jvm.testAppClassPath(), APP);
        assertEquals(0, r.exit(), r.dump());
        assertOwnByteBuddyUsed(r);
        assertEquals(List.of(SENT, SENT), values(r, "arrived : "), r.dump());
    }

    private static void assertOwnByteBuddyUsed(Jvm.Result r) {
        String version = System.getProperty("albtrace.smoke.app.bytebuddy.version");
        List<String> jar = values(r, "bytebuddy : ");
        assertEquals(1, jar.size(), r.dump());
        assertTrue(jar.get(0).endsWith("/byte-buddy-" + version + ".jar"), "the application's " + version + r.dump());
        assertEquals(List.of("app"), values(r, "bytebuddy loader : "), r.dump());
        assertEquals(List.of("made by the app's Byte Buddy 0", "made by the app's Byte Buddy 1"),
                values(r, "generated : "), r.dump());
        assertEquals(List.of("204", "204"), values(r, "status : "), r.dump());
    }

    private static List<String> values(Jvm.Result r, String prefix) {
        return r.outLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .collect(Collectors.toList());
    }
}

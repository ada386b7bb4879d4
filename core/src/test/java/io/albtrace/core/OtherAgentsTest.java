package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A header another tracing agent wrote on a send (OpenTelemetry's or Datadog's, with the X-Ray propagator): which
 * headers are taken as theirs, and what is forwarded then. The smoke tests (OtherAgentsIT) run the real agents.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class OtherAgentsTest {

    static final String R = OutgoingTest.R;
    /** What a balancer sends on, Self and a custom field included: the request's context. */
    static final String CONTEXT = "Root=" + R + ";Self=1-67891233-12456789abcdef012345678;CalledFrom=app";
    /** What OpenTelemetry's X-Ray propagator writes: its own trace, the call's span, its sampling decision. */
    static final String THEIRS = "Root=1-6b16dd75-e39a01de1885069a18fa64aa;Parent=5ebb7e5c9e0f3ca1;Sampled=1";
    static final String OTEL = "OpenTelemetry's Java agent";

    private Config previousConfig;
    private String previousAgents;

    @BeforeEach
    void install() {
        previousConfig = Config.install(OutgoingTest.config(7168, false));
        previousAgents = OtherAgents.install(OTEL);
    }

    @AfterEach
    void restore() {
        Config.install(previousConfig);
        OtherAgents.restore(previousAgents);
        assertNull(Context.current());
    }

    private static Config theirs() {
        Properties p = new Properties();
        p.setProperty(Config.OTHER_AGENT_HEADER, "theirs");
        return Config.load(p, Map.of());
    }

    @Test
    void theirHeaderGivesItsFieldsToTheContext() throws Exception {
        String err = StdErr.capture(() -> {
            try (Scope s = Context.bind(CONTEXT)) {
                OutgoingTest.assertHeader("Root=" + R + ";Self={NEW};CalledFrom=app;Parent=5ebb7e5c9e0f3ca1;Sampled=1",
                        Outgoing.header(THEIRS, 0), CONTEXT);
                OutgoingTest.assertHeader("Root=" + R + ";Self={NEW};CalledFrom=app;Parent=5ebb7e5c9e0f3ca1;Sampled=1",
                        Outgoing.header(THEIRS, 0), CONTEXT);
            }
        });
        List<String> lines = StdErr.lines(err);
        assertEquals(1, lines.size(), "said once:\n" + err);
        assertEquals("[albtrace] " + OtherAgents.report(OTEL, true), lines.get(0));
        assertTrue(lines.get(0).contains("otel.propagators") && lines.get(0).contains("albtrace.other.agent.header=theirs"),
                lines.get(0));
    }

    @Test
    void aRootOnlyContextAndAContextWithAParent() {
        try (Scope s = Context.bind("Root=" + R)) {
            OutgoingTest.assertHeader("Self={NEW};Root=" + R + ";Parent=5ebb7e5c9e0f3ca1;Sampled=1",
                    Outgoing.header(THEIRS, 0), "Root=" + R);
        }
        // their Parent and Sampled replace the ones the request came with, in place: one of each leaves
        String withParent = "Root=" + R + ";Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a:1";
        try (Scope s = Context.bind(withParent)) {
            OutgoingTest.assertHeader("Self={NEW};Root=" + R + ";Parent=5ebb7e5c9e0f3ca1;Sampled=1;Lineage=a:1",
                    Outgoing.header(THEIRS, 0), withParent);
        }
    }

    @Test
    void withoutAContextTheirHeaderIsForwarded() {
        OutgoingTest.assertHeader("Self={NEW};" + THEIRS, Outgoing.header(THEIRS, 0), THEIRS);
    }

    @Test
    void aContextWithoutAValidRootTakesTheirRoot() {
        String malformed = "Root=1-zz;Foo=bar";
        try (Scope s = Context.bind(malformed)) {
            OutgoingTest.assertHeader("Self={NEW};Root=1-6b16dd75-e39a01de1885069a18fa64aa;Foo=bar;Parent=5ebb7e5c9e0f3ca1"
                    + ";Sampled=1", Outgoing.header(THEIRS, 0), THEIRS);
        }
    }

    @Test
    void anOutgoingCallMergesWithTheContextItCaptured() {
        OutgoingCall call;
        try (Scope s = Context.bind(CONTEXT)) {
            call = OutgoingCall.capture();
        }
        String first = call.forward(THEIRS);
        OutgoingTest.assertHeader("Root=" + R + ";Self={NEW};CalledFrom=app;Parent=5ebb7e5c9e0f3ca1;Sampled=1", first,
                CONTEXT);
        assertSame(first, call.forward("Root=1-6b16dd75-e39a01de1885069a18fa64aa;Parent=0000000000000001"),
                "a later send of the call gets the same value");
    }

    @Test
    void withTheirsTheirHeaderIsTheApplicationsAndThatIsSaidOnce() throws Exception {
        Config.install(theirs());
        String err = StdErr.capture(() -> {
            try (Scope s = Context.bind(CONTEXT)) {
                OutgoingTest.assertHeader("Self={NEW};" + THEIRS, Outgoing.header(THEIRS, 0), THEIRS);
                OutgoingTest.assertHeader("Self={NEW};" + THEIRS, Outgoing.header(THEIRS, 0), THEIRS);
            }
        });
        assertEquals(List.of("[albtrace] " + OtherAgents.report(OTEL, false)), StdErr.lines(err));
        assertTrue(err.contains("albtrace.other.agent.header=merge"), err);
    }

    @Test
    void theApplicationsOwnHeaderStillWins() throws Exception {
        String err = StdErr.capture(() -> {
            try (Scope s = Context.bind(CONTEXT)) {
                // the seeds' application header: no Parent
                String own = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";
                OutgoingTest.assertHeader("Self={NEW};" + own, Outgoing.header(own, 0), own);
                // one the application copied from the request it serves: it has a Self
                String copied = "Root=" + R + ";Self=1-67891233-12456789abcdef012345678;Parent=5ebb7e5c9e0f3ca1";
                OutgoingTest.assertHeader("Root=" + R + ";Self={NEW};Parent=5ebb7e5c9e0f3ca1", Outgoing.header(copied, 0),
                        copied);
                // read where no agent can have written yet (OkHttp's call): the application's, whatever its shape
                OutgoingTest.assertHeader("Self={NEW};" + THEIRS, Outgoing.applicationHeader(THEIRS), THEIRS);
            }
        });
        assertEquals("", err, "nothing recognised, nothing said");
    }

    @Test
    void withoutAnotherAgentTheirShapeIsTheApplicationsToo() throws Exception {
        OtherAgents.install(null);
        String err = StdErr.capture(() -> {
            try (Scope s = Context.bind(CONTEXT)) {
                OutgoingTest.assertHeader("Self={NEW};" + THEIRS, Outgoing.header(THEIRS, 0), THEIRS);
            }
        });
        assertEquals("", err);
    }

    @Test
    void thisJvmRunsNeitherAgent() {
        // a real look-up: the test JVM has neither agent's bootstrap class
        OtherAgents.restore("unknown");
        assertNull(OtherAgents.recognise(THEIRS));
        assertEquals("", OtherAgents.install(OTEL), "looked up once: none");
    }

    @Test
    void whatTheyWrite() {
        assertTrue(OtherAgents.looksWritten(THEIRS));
        // Datadog's: its trace id in the Root, Sampled, its origin and baggage after
        assertTrue(OtherAgents.looksWritten(
                "Root=1-6b16dd87-000000003ec53cfa24c181e7;Parent=3b728f30bde0d056;Sampled=1;_dd.origin=x;k=v"));
        assertTrue(OtherAgents.looksWritten("Root=" + R + ";Parent=5EBB7E5C9E0F3CA1"), "no Sampled, upper case");
        assertTrue(OtherAgents.looksWritten(" Root=" + R + " ;; Parent=5ebb7e5c9e0f3ca1 , Self=x"), "SPEC 2");
        assertFalse(OtherAgents.looksWritten("Root=" + R), "no Parent");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Sampled=1"), "no Parent");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Parent=5ebb7e5c9e0f3ca"), "15 digits");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Parent=5ebb7e5c9e0f3ca1a"), "17 digits");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Parent=5ebb7e5c9e0f3cg1"), "not hex");
        assertFalse(OtherAgents.looksWritten("Parent=5ebb7e5c9e0f3ca1;Root=" + R), "Root not first");
        assertFalse(OtherAgents.looksWritten("Root=1-zz;Parent=5ebb7e5c9e0f3ca1"), "invalid Root");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Self=1-1-1;Parent=5ebb7e5c9e0f3ca1"), "a Self");
        assertFalse(OtherAgents.looksWritten("Root=" + R + ";Parent=5ebb7e5c9e0f3ca1;Self=x"), "a Self");
        assertFalse(OtherAgents.looksWritten(""));
        assertFalse(OtherAgents.looksWritten(",Root=" + R + ";Parent=5ebb7e5c9e0f3ca1"), "only the first value counts");
    }

    @Test
    void fieldsAreMergedAsSpec2ReadsThem() {
        assertEquals("Root=A;Self=S;K=v;Parent=p;Sampled=1",
                OtherAgents.withFields("Root=A;Self=S;K=v", "Root=B;Self=T;Parent=p;Sampled=1"));
        assertEquals("Root=A;Parent=p2;K=v;Parent=p1",
                OtherAgents.withFields("Root=A;Parent=p1;K=v;Parent=p1", "Parent=p2"), "the first of a name only");
        assertEquals("Root=A;Parent=p2;Parent=p3",
                OtherAgents.withFields("Root=A;Parent=p1", "Parent=p2;Parent=p3"), "their duplicates follow");
        assertEquals("Root=A;root=x;Sampled=0",
                OtherAgents.withFields(" Root=A ;;bad; root=y ;=x", "root=x;Sampled=0;Self=z, Later=1"),
                "malformed parts dropped, names case-sensitive, only the first value of theirs");
        assertEquals("Root=A;Self=s1", OtherAgents.withFields("Root=A;Root=B;Self=s1;Self=s2;x y=1", ""),
                "the first Root and Self, visible ASCII only");
    }

    @Test
    void aValueWrittenWhenTheCallWasMadeGetsTheirFields() throws Exception {
        String ours = "Self=1-6b16dd75-0703a1f4ae398789f07fa732;Root=" + R;
        String err = StdErr.capture(() -> {
            assertEquals(ours, OtherAgents.overwritten(ours, new String(ours)), "unchanged: nothing to do");
            assertEquals(ours + ";Parent=5ebb7e5c9e0f3ca1;Sampled=1", OtherAgents.overwritten(ours, THEIRS));
            // an interceptor of the application's: its header, as before
            assertEquals("Root=" + R + ";Mine=1", OtherAgents.overwritten(ours, "Root=" + R + ";Mine=1"));
        });
        assertEquals(1, StdErr.lines(err).size(), err);
        // albtrace had no Root to forward when the call was made and made one: theirs is taken, with a Self
        OutgoingTest.assertHeader("Self={NEW};Root=1-6b16dd75-e39a01de1885069a18fa64aa;Foo=bar;Parent=5ebb7e5c9e0f3ca1"
                + ";Sampled=1", OtherAgents.overwritten("Root=1-6b16e06b-5345bb94893481b2f1429e9a;Foo=bar", THEIRS),
                THEIRS + ";Root=1-6b16e06b-5345bb94893481b2f1429e9a");
        Config.install(theirs());
        assertEquals(THEIRS, OtherAgents.overwritten(ours, THEIRS));
    }
}

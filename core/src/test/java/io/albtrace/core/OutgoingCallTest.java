package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // a Scope is opened for its effect on the context
class OutgoingCallTest {

    static final String R = OutgoingTest.R;
    static final String CONTEXT = OutgoingTest.CONTEXT;
    static final String OWN = OutgoingTest.OWN;
    static final String NEW = NewIds.NEW;
    /** {@code X-Amzn-Trace-Id: } and CR LF. */
    static final int LINE = TraceHeader.NAME.length() + 4;

    private Config previous;

    @BeforeEach
    void install() {
        previous = Config.install(OutgoingTest.config(7168, false));
        assertNull(OutgoingCall.current());
    }

    @AfterEach
    void restore() {
        Config.install(previous);
        assertNull(Context.current());
        assertNull(OutgoingCall.current(), "a test left a call current");
    }

    @Test
    void beginCapturesTheContextAndEndRestoresThePreviousCall() {
        OutgoingCall outer;
        try (Scope s = Context.bind(CONTEXT)) {
            outer = OutgoingCall.begin();
        }
        assertSame(outer, OutgoingCall.current());
        assertEquals(CONTEXT, outer.context());
        OutgoingCall inner = OutgoingCall.begin();
        assertSame(inner, OutgoingCall.current());
        assertNull(inner.context());
        inner.end();
        assertSame(outer, OutgoingCall.current());
        outer.end();
        assertNull(OutgoingCall.current());
    }

    @Test
    void theFirstSendForwardsTheCapturedContextAndLaterSendsGetTheSameValue() {
        OutgoingCall call;
        try (Scope s = Context.bind(CONTEXT)) {
            call = OutgoingCall.capture();
        }
        assertNull(OutgoingCall.current(), "capture() binds nothing to the thread");
        String first = call.forward(null);
        OutgoingTest.assertHeader("Self={NEW};" + CONTEXT, first, CONTEXT);
        assertSame(first, call.forward(null), "a redirect without the header");
        assertSame(first, call.forward(first), "a retry that copied the header");
        assertSame(first, call.forward(OWN), "a later send never forwards again");
    }

    @Test
    void theApplicationsHeaderWinsOverTheContext() {
        OutgoingCall call;
        try (Scope s = Context.bind(CONTEXT)) {
            call = OutgoingCall.capture();
        }
        OutgoingTest.assertHeader("Self={NEW};" + OWN, call.forward(OWN), OWN);
    }

    @Test
    void noContextAndNoHeaderMakeANewRoot() {
        OutgoingTest.assertHeader("Root={NEW}", OutgoingCall.capture().forward(null), null);
    }

    @Test
    void theContextIsTheCallersNotTheSendingThreads() throws Exception {
        OutgoingCall call;
        try (Scope s = Context.bind(CONTEXT)) {
            call = OutgoingCall.capture();
        }
        AtomicReference<String> sent = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try (Scope s = Context.bind("Root=1-11111111-111111111111111111111111")) {
                sent.set(call.forward(null));
            }
        });
        sender.start();
        sender.join();
        OutgoingTest.assertHeader("Self={NEW};" + CONTEXT, sent.get(), CONTEXT);
    }

    @Test
    void twoCallsInOneContextShareTheRootWithTheirOwnSelf() {
        List<String> a;
        List<String> b;
        try (Scope s = Context.bind(CONTEXT)) {
            a = OutgoingTest.assertHeader("Self={NEW};" + CONTEXT, OutgoingCall.capture().forward(null), CONTEXT);
            b = OutgoingTest.assertHeader("Self={NEW};" + CONTEXT, OutgoingCall.capture().forward(null), CONTEXT);
        }
        assertNotEquals(a, b);
    }

    @Test
    void onClassicWireInsideACallForwardsOnceWithTheSizeRule() {
        OutgoingCall call;
        try (Scope s = Context.bind(CONTEXT)) {
            call = OutgoingCall.begin();
        }
        try {
            String first = OutgoingCall.onClassicWire("GET", null, 100);
            OutgoingTest.assertHeader("Self={NEW};" + CONTEXT, first, CONTEXT);
            assertSame(first, OutgoingCall.onClassicWire("GET", first, 100), "a retry keeps the value");
            int atTheBound = 7168 - LINE - first.length();
            assertSame(first, OutgoingCall.onClassicWire("GET", null, atTheBound));
            assertEquals("Root=" + R, OutgoingCall.onClassicWire("GET", null, atTheBound + 1),
                    "over the bound: the Root alone");
            assertSame(first, OutgoingCall.onClassicWire("GET", null, 0), "and the value is kept for later sends");
        } finally {
            call.end();
        }
    }

    @Test
    void onClassicWireOutsideACallOrForAProxyConnectIsTheSizeRuleAlone() {
        assertNull(OutgoingCall.onClassicWire("GET", null, 100), "no call, no header: nothing is added");
        assertSame(CONTEXT, OutgoingCall.onClassicWire("GET", CONTEXT, 100));
        assertEquals("Root=" + R, OutgoingCall.onClassicWire("GET", CONTEXT, 8000));
        OutgoingCall call = OutgoingCall.begin();
        try {
            assertNull(OutgoingCall.onClassicWire("CONNECT", null, 100), "a tunnel request gets no header");
            assertNull(OutgoingCall.onClassicWire("connect", null, 100));
            OutgoingTest.assertHeader("Root={NEW}", OutgoingCall.onClassicWire("GET", null, 100), null);
        } finally {
            call.end();
        }
    }

    @Test
    void limitCountsTheTraceHeaderLine() {
        assertNull(OutgoingCall.limit(null, 100_000));
        int atTheBound = 7168 - LINE - CONTEXT.length();
        assertSame(CONTEXT, OutgoingCall.limit(CONTEXT, atTheBound));
        assertEquals("Root=" + R, OutgoingCall.limit(CONTEXT, atTheBound + 1));
        OutgoingTest.assertHeader("Root=" + NEW, OutgoingCall.limit("Root=bad;K=v", 100_000), null);
    }

    @Test
    void aConfiguredBoundIsUsed() {
        Config.install(OutgoingTest.config(300, false));
        assertSame(CONTEXT, OutgoingCall.limit(CONTEXT, 300 - LINE - CONTEXT.length()));
        assertEquals("Root=" + R, OutgoingCall.limit(CONTEXT, 301 - LINE - CONTEXT.length()));
    }
}

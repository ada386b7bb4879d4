package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.albtrace.core.Context;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Response;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OkHttp 5.3+: the call's state is kept in its tags under albtrace's own {@code KClass}, {@link OutgoingCallKey},
 * defined next to OkHttp's class loader, not under {@code OutgoingCall}'s Kotlin class (whose making, the first
 * time in a process, costs the first call 6 to 35 ms).
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class OutgoingCallKeyTest extends OkHttpTestSupport {

    @BeforeEach
    void onlyWithCallTags() {
        Assumptions.assumeTrue(OkHttpLineTest.hasCallTags(), "OkHttp 5.3+ only: call tags");
    }

    @Test
    void theKeyIsAlbtracesOwnDefinedNextToOkHttp() throws Exception {
        Call call;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            call = client.newCall(request("/key").build());
        }
        Object key = LibraryHelpers.instance(call.getClass(), RealCallInstrumentation.OUTGOING_CALL_KEY);
        assertNotNull(key);
        assertEquals(OutgoingCallKey.class.getName(), key.getClass().getName());
        assertEquals(RealCallInstrumentation.OUTGOING_CALL_KEY, OutgoingCallKey.class.getName());
        // its own loader, whose parent is OkHttp's: nothing is defined in the library's loader
        assertSame(call.getClass().getClassLoader(), key.getClass().getClassLoader().getParent());
        assertSame(key, LibraryHelpers.instance(call.getClass(), RealCallInstrumentation.OUTGOING_CALL_KEY));
        @SuppressWarnings("unchecked")
        KClass<OutgoingCall> kclass = (KClass<OutgoingCall>) key;
        assertSame(OutgoingCall.class, JvmClassMappingKt.getJavaClass(kclass));
        assertEquals("OutgoingCall", kclass.getSimpleName());

        OutgoingCall state = call.tag(kclass);
        assertNotNull(state, "the call's state is under albtrace's key");
        assertNull(call.tag(OutgoingCall.class), "and not under OutgoingCall's Kotlin class, which the app could ask");
        assertNotNull(CallTags.state(call.clone()), "a clone's state is under the same key");
        try (Response response = call.execute()) {
            assertEquals(200, response.code());
            response.body().string();
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }
}

package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import kotlin.reflect.KClass;
import okhttp3.Call;

/**
 * OkHttp 5.3+ only (its classes name Kotlin's {@code KClass} and {@code Call.tag(KClass)}, so only tests that run
 * there load this): the state albtrace keeps in a call's tags, under its own key ({@link OutgoingCallKey}).
 */
final class CallTags {

    private CallTags() {
    }

    /** The call's {@link OutgoingCall}, or null; fails when albtrace has no key for the call's OkHttp. */
    @SuppressWarnings("unchecked")
    static OutgoingCall state(Call call) {
        // RealCall is final: the class of the call is the class the advice anchors the key to
        Object key = LibraryHelpers.instance(call.getClass(), RealCallInstrumentation.OUTGOING_CALL_KEY);
        assertNotNull(key, "albtrace's tag key for the OkHttp of " + call.getClass().getClassLoader());
        return call.tag((KClass<OutgoingCall>) key);
    }
}

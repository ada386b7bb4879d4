package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.MethodCall;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * SPEC 7: an OkHttp version the agent does not know is left as it is, with one warning. (A failure inside the agent:
 * {@link OkHttpClientContractTest}, the contract's {@code aFailingIdSourceLeavesTheCallAsIfTheAgentWereAbsent}.)
 */
class NeverBreakTheApplicationTest extends OkHttpTestSupport {

    /**
     * A future OkHttp whose {@code okhttp3.internal.connection.RealCall} constructor takes a fourth argument,
     * defined in a fresh class loader of its own.
     */
    private static Class<?> unknownRealCall(String name) {
        return new ByteBuddy()
                .subclass(Object.class, ConstructorStrategy.Default.NO_CONSTRUCTORS)
                .name(name)
                .defineField("originalRequest", Request.class, Visibility.PRIVATE)
                .defineConstructor(Visibility.PUBLIC)
                .withParameters(OkHttpClient.class, Request.class, boolean.class, String.class)
                .intercept(MethodCall.invoke(Object.class.getConstructors()[0])
                        .andThen(FieldAccessor.ofField("originalRequest").setsArgumentAt(1)))
                .defineMethod("request", Request.class, Visibility.PUBLIC)
                .intercept(FieldAccessor.ofField("originalRequest"))
                .make()
                .load(NeverBreakTheApplicationTest.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
                .getLoaded();
    }

    private static Request use(Class<?> realCall, Request request) throws Exception {
        Object call = realCall.getConstructor(OkHttpClient.class, Request.class, boolean.class, String.class)
                .newInstance(new OkHttpClient(), request, false, "extra");
        return (Request) realCall.getMethod("request").invoke(call);
    }

    @Test
    void anUnknownRealCallShapeIsLeftUnchangedWithOneWarning() throws Exception {
        String name = "okhttp3.internal.connection.RealCall";
        List<String> said = new java.util.ArrayList<>();
        Request request = request("/x").build();

        Class<?> first = StdErr.capture(() -> unknownRealCall(name), said);
        assertNotSame(NeverBreakTheApplicationTest.class.getClassLoader(), first.getClassLoader());
        assertEquals(name, first.getName());
        Request seen = StdErr.capture(() -> use(first, request), said);
        assertSame(request, seen, "the constructor ran unchanged");
        assertNull(seen.header(Trace.NAME));

        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("it has no method of " + name + " matching ")
                && said.get(0).contains("The okhttp instrumentation is skipped"), said::toString);
        TestAgent.expectVersionProblem(said.get(0).substring("[albtrace] ".length()));

        // a second copy in another fresh loader: works the same, and the warning is not repeated
        Class<?> second = StdErr.capture(() -> unknownRealCall(name), said);
        assertNotSame(first, second);
        assertSame(request, StdErr.capture(() -> use(second, request), said));
        assertEquals(1, said.size(), said::toString);
    }

    @Test
    void anUnknownOkHttp3RealCallShapeIsLeftUnchanged() throws Exception {
        String name = "okhttp3.RealCall";
        List<String> said = new java.util.ArrayList<>();
        Request request = request("/y").build();
        Class<?> stub = StdErr.capture(() -> unknownRealCall(name), said);
        assertSame(request, StdErr.capture(() -> use(stub, request), said));
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("it has no method of " + name + " matching "), said::toString);
        TestAgent.expectVersionProblem(said.get(0).substring("[albtrace] ".length()));
    }
}

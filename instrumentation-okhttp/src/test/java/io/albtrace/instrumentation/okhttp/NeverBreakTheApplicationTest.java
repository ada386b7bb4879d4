package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.IdSource;
import io.albtrace.core.Ids;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.MethodCall;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** SPEC 7: a failure inside the agent, or a version it does not know, never breaks the application. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NeverBreakTheApplicationTest extends OkHttpTestSupport {

    /** Runs {@code action} with System.err captured; returns the result and the [albtrace] lines printed. */
    static <T> T capturingStderr(Callable<T> action, List<String> lines) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return action.call();
        } finally {
            System.setErr(original);
            String text = captured.toString(StandardCharsets.UTF_8);
            original.print(text);
            lines.addAll(Arrays.stream(text.split("\\R")).filter(l -> l.startsWith("[albtrace]"))
                    .collect(Collectors.toList()));
        }
    }

    @Test
    void aFailingIdSourceLeavesTheCallAsIfTheAgentWereAbsent() throws Exception {
        IdSource broken = new IdSource() {
            @Override
            public long epochSecond() {
                throw new IllegalStateException("broken id source (test)");
            }

            @Override
            public long randomHigh() {
                throw new IllegalStateException("broken id source (test)");
            }

            @Override
            public int randomLow() {
                throw new IllegalStateException("broken id source (test)");
            }
        };
        List<String> said = new java.util.ArrayList<>();
        Ids.use(broken);
        try {
            capturingStderr(() -> {
                assertEquals("ok", execute(request("/none").build()));
                assertEquals("ok", execute(request("/own").header(Trace.NAME, Trace.CONTEXT).build()));
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    assertEquals("ok", execute(request("/context").build()));
                }
                return null;
            }, said);
        } finally {
            Ids.use(null);
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(3, all.size());
        assertEquals(List.of(), all.get(0).traceHeaders, "no header: none is added");
        assertEquals(List.of(Trace.CONTEXT), all.get(1).traceHeaders, "the application's header is sent as set");
        assertEquals(List.of(), all.get(2).traceHeaders, "the context is not forwarded");
        List<String> failures = said.stream().filter(l -> l.startsWith("[albtrace] okhttp instrumentation failed"))
                .collect(Collectors.toList());
        assertEquals(1, failures.size(), said::toString);
        assertTrue(failures.get(0).contains("broken id source (test)"), failures::toString);

        // and with the identifier source back, forwarding works again
        Trace.assertForwarded("Root={NEW}", null, get("/after"));
    }

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

        Class<?> first = capturingStderr(() -> unknownRealCall(name), said);
        assertNotSame(NeverBreakTheApplicationTest.class.getClassLoader(), first.getClassLoader());
        assertEquals(name, first.getName());
        Request seen = capturingStderr(() -> use(first, request), said);
        assertSame(request, seen, "the constructor ran unchanged");
        assertNull(seen.header(Trace.NAME));

        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("it has no method of " + name + " matching ")
                && said.get(0).contains("The okhttp instrumentation is skipped"), said::toString);
        TestAgent.expectVersionProblem(said.get(0).substring("[albtrace] ".length()));

        // a second copy in another fresh loader: works the same, and the warning is not repeated
        Class<?> second = capturingStderr(() -> unknownRealCall(name), said);
        assertNotSame(first, second);
        assertSame(request, capturingStderr(() -> use(second, request), said));
        assertEquals(1, said.size(), said::toString);
    }

    @Test
    void anUnknownOkHttp3RealCallShapeIsLeftUnchanged() throws Exception {
        String name = "okhttp3.RealCall";
        List<String> said = new java.util.ArrayList<>();
        Request request = request("/y").build();
        Class<?> stub = capturingStderr(() -> unknownRealCall(name), said);
        assertSame(request, capturingStderr(() -> use(stub, request), said));
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("it has no method of " + name + " matching "), said::toString);
        TestAgent.expectVersionProblem(said.get(0).substring("[albtrace] ".length()));
    }
}

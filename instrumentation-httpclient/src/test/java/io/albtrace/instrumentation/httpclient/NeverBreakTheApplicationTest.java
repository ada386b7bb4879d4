package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.IdSource;
import io.albtrace.core.Ids;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

/** SPEC 7: a failure inside the agent, or a version it does not know, never breaks the application. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NeverBreakTheApplicationTest extends Http5TestSupport {

    /** Runs {@code action} with System.err captured; returns the result and the [albtrace] lines printed. */
    private static <T> T capturingStderr(Callable<T> action, List<String> lines) throws Exception {
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
    void aFailingIdSourceLeavesEveryWayAsIfTheAgentWereAbsent() throws Exception {
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
        for (Way5 way : Way5.values()) {
            if (way.unsupported() != null) {
                continue; // not testable on this HttpClient 5 line at all (Way5#unsupported)
            }
            start(way);
            List<String> said = new ArrayList<>();
            Ids.use(broken);
            try {
                capturingStderr(() -> {
                    send(way, "GET", "/none");
                    send(way, "GET", "/own", Trace.NAME, Trace.CONTEXT);
                    try (Scope s = Context.bind(Trace.CONTEXT)) {
                        send(way, "GET", "/context");
                    }
                    return null;
                }, said);
            } finally {
                Ids.use(null);
            }
            List<TestServer.Received> all = server.received();
            assertEquals(3, all.size());
            assertEquals(List.of(), all.get(0).traceHeaders, way + ": no header: none is added");
            assertEquals(List.of(Trace.CONTEXT), all.get(1).traceHeaders, way + ": the application's header as set");
            assertEquals(List.of(), all.get(2).traceHeaders, way + ": the context is not forwarded");
            assertTrue(OutgoingCall.current() == null, "no call is left current on the thread");
            // with the identifier source back, forwarding works again
            Trace.assertForwarded("Root={NEW}", null, get(way, "/after"));
            server.close();
            server = null;
        }
    }

    /**
     * A future HttpClient whose {@code InternalHttpClient.doExecute} takes a fourth argument, defined in a fresh
     * class loader of its own: the class is left unchanged, with one warning, and the application's call works.
     */
    private static Class<?> unknownInternalHttpClient() {
        return new ByteBuddy()
                .subclass(CloseableHttpClient.class)
                .name("org.apache.hc.client5.http.impl.classic.InternalHttpClient")
                .defineMethod("doExecute", CloseableHttpResponse.class, Visibility.PROTECTED)
                .withParameters(HttpHost.class, ClassicHttpRequest.class,
                        org.apache.hc.core5.http.protocol.HttpContext.class, String.class)
                .intercept(FixedValue.nullValue())
                .make()
                .load(NeverBreakTheApplicationTest.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
                .getLoaded();
    }

    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> said = new ArrayList<>();
        Class<?> first = capturingStderr(NeverBreakTheApplicationTest::unknownInternalHttpClient, said);
        assertNotSame(NeverBreakTheApplicationTest.class.getClassLoader(), first.getClassLoader());
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("org.apache.hc.client5.http.impl.classic.InternalHttpClient has no method")
                && said.get(0).contains("unknown library version"), said::toString);
        Class<?> second = capturingStderr(NeverBreakTheApplicationTest::unknownInternalHttpClient, said);
        assertNotSame(first, second);
        assertEquals(1, said.size(), "the warning is said once: " + said);

        // the application's real client, in its own loader, still works and forwards
        start(Way5.CLASSIC_DEFAULT);
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            String body = client.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(server.url("/real")),
                    response -> EntityUtils.toString(response.getEntity()));
            assertEquals("ok", body);
        }
        Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
    }
}

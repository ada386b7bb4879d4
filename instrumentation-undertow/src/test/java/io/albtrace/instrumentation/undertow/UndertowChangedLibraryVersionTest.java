package io.albtrace.instrumentation.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import io.undertow.Undertow;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An Undertow the agent does not know: this run's Undertow loaded again in a class loader of its own, with
 * {@code HttpServerExchange.getRequestURI()}, which the agent's advice calls, renamed {@code getRequestUriAt()} in
 * every Undertow class (Undertow itself still works). The check before weaving finds it missing, says so once (the
 * library, its version, the method), weaves none of Undertow's classes there, and the server serves its requests as
 * without the agent (SPEC 7).
 */
@ExtendWith(InstalledAgent.class)
class UndertowChangedLibraryVersionTest {

    @Test
    void aMissingMethodSkipsUndertowWithOneWarningAndTheServerStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        StdErr.capture(() -> {
            // two class loaders with that version, two requests each: one warning
            for (int i = 0; i < 2; i++) {
                Function<String, String> driver = driver(undertow(true));
                assertEquals("200 null", driver.apply("/a" + i), "served, with no context bound");
                assertEquals("200 null", driver.apply("/b" + i));
            }
            return null;
        }, said);
        String warning = TestAgent.expectOneNewVersionProblem(before);
        assertTrue(warning.startsWith("undertow: "), warning);
        assertTrue(warning.contains("io.undertow.server.HttpServerExchange.getRequestURI()"), warning);
        assertTrue(warning.contains("The undertow instrumentation is skipped in class loader changed-undertow ("),
                warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** The same, unchanged Undertow in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameUndertowUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        String answer = driver(undertow(false)).apply("/control");
        assertTrue(answer.startsWith("200 "), answer);
        // the context as received: the application's header, with the Self its (instrumented) client added
        Trace.assertForwarded("Self={NEW};" + Trace.CONTEXT, Trace.CONTEXT, answer.substring(4));
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader undertow) throws Exception {
        return (Function<String, String>) undertow.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Starts an Undertow server of the class loader that defined this class, whose handler answers its context on the
     * I/O thread, GETs the path it is given with the header {@link Trace#CONTEXT}, and returns the status and the body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String path) {
            Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(1)
                    .setHandler(exchange -> exchange.getResponseSender().send(String.valueOf(Context.current())))
                    .build();
            server.start();
            try {
                int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
                c.setRequestProperty(Trace.NAME, Trace.CONTEXT);
                try (InputStream in = c.getInputStream()) {
                    return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } finally {
                    c.disconnect();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                server.stop();
            }
        }
    }

    /**
     * This run's Undertow classes and {@link Driver} in a class loader of their own ({@link ChangedLibrary}); with
     * {@code rename}, {@code HttpServerExchange.getRequestURI()} is {@code getRequestUriAt()}, declared and called,
     * in every Undertow class.
     */
    private static ClassLoader undertow(boolean rename) {
        return new ChangedLibrary(rename ? "changed-undertow" : "unchanged-undertow",
                UndertowChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("io.undertow.") || name.startsWith(Driver.class.getName()),
                rename ? ChangedLibrary.renaming("io/undertow/server/HttpServerExchange"::equals, "getRequestURI",
                        "()Ljava/lang/String;", "getRequestUriAt") : bytes -> bytes);
    }
}

package io.albtrace.instrumentation.jetty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Jetty server the agent does not know: this run's jetty-server loaded again in a class loader of its own, with
 * {@code Request.getLocalPort(Request)}, which the agent's advice calls, renamed {@code getLocalPortAt} in every
 * jetty-server class (Jetty itself still works). The check before weaving finds it missing, says so once (the
 * library, its version, the method), weaves none of the jetty module's classes there, and the server serves its
 * requests as without the agent (SPEC 7).
 */
@ExtendWith(InstalledAgent.class)
class JettyServerChangedLibraryVersionTest {

    @Test
    void aMissingMethodSkipsTheJettyServerWithOneWarningAndItStillServes() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        StdErr.capture(() -> {
            // two class loaders with that version, two requests each: one warning
            for (int i = 0; i < 2; i++) {
                Function<String, String> driver = driver(jetty(true));
                assertEquals("200 null", driver.apply("/a" + i), "served, with no context bound");
                assertEquals("200 null", driver.apply("/b" + i));
            }
            return null;
        }, said);
        String warning = TestAgent.expectOneNewVersionProblem(before);
        assertTrue(warning.startsWith("jetty: "), warning);
        assertTrue(warning.contains("org.eclipse.jetty.server.Request.getLocalPort("), warning);
        assertTrue(warning.contains("The jetty instrumentation is skipped in class loader changed-jetty-server ("),
                warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** The same, unchanged jetty-server in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameJettyServerUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        String answer = driver(jetty(false)).apply("/control");
        assertTrue(answer.startsWith("200 "), answer);
        // the context as received: the application's header, with the Self its (instrumented) client added
        Trace.assertForwarded("Self={NEW};" + Trace.CONTEXT, Trace.CONTEXT, answer.substring(4));
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader jetty) throws Exception {
        return (Function<String, String>) jetty.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Starts a Jetty server of the class loader that defined this class, whose handler answers its context, GETs the
     * path it is given with the header {@link Trace#CONTEXT}, and returns the status and the body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String path) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    response.write(true, ByteBuffer.wrap(String.valueOf(Context.current())
                            .getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
            });
            try {
                server.start();
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + connector.getLocalPort()
                        + path).openConnection();
                c.setRequestProperty(Trace.NAME, Trace.CONTEXT);
                try (InputStream in = c.getInputStream()) {
                    return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } finally {
                    c.disconnect();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                try {
                    server.stop();
                } catch (Exception ignored) {
                    // stopped as far as it goes
                }
            }
        }
    }

    /**
     * This run's jetty-server classes and {@link Driver} in a class loader of their own ({@link ChangedLibrary}); with
     * {@code rename}, {@code Request.getLocalPort(Request)} is {@code getLocalPortAt}, declared and called, in every
     * jetty-server class.
     */
    private static ClassLoader jetty(boolean rename) {
        return new ChangedLibrary(rename ? "changed-jetty-server" : "unchanged-jetty-server",
                JettyServerChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("org.eclipse.jetty.server.") || name.startsWith(Driver.class.getName()),
                rename ? ChangedLibrary.renaming("org/eclipse/jetty/server/Request"::equals, "getLocalPort",
                        "(Lorg/eclipse/jetty/server/Request;)I", "getLocalPortAt") : bytes -> bytes);
    }
}

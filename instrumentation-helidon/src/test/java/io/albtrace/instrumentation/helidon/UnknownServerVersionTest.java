package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.Balancer;
import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import io.helidon.webserver.WebServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC 7: a Helidon WebServer version the agent does not know serves as without the agent, with one warning. */
@ExtendWith(InstalledAgent.class)
class UnknownServerVersionTest {

    private static final String ROUTE = "(Lio/helidon/webserver/ConnectionContext;"
            + "Lio/helidon/webserver/http/RoutingRequest;Lio/helidon/webserver/http/RoutingResponse;)V";

    /**
     * A future Helidon WebServer whose routing has no {@code route(ConnectionContext, RoutingRequest,
     * RoutingResponse)}: this run's helidon-webserver classes in a class loader of their own, that method renamed
     * where declared and where called. The check before weaving says so once and the server's requests are served
     * with no context bound although they carry a header.
     */
    @Test
    void anUnknownServerShapeServesAsWithoutTheAgentWithOneWarning() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        String body = StdErr.capture(() -> {
            @SuppressWarnings("unchecked")
            Function<String, String> driver = (Function<String, String>) renamedRoute()
                    .loadClass(Driver.class.getName()).getConstructor().newInstance();
            return driver.apply(Trace.CONTEXT);
        }, said);
        assertEquals("200 null", body, "served, with no context");
        String warning = TestAgent.expectOneNewVersionProblem(before);
        assertTrue(warning.startsWith("helidon: "), warning);
        assertTrue(warning.contains("(helidon-webserver-4.5.0.jar) is not a version this agent knows"), warning);
        assertTrue(warning.contains("io.helidon.webserver.http.HttpRoutingImpl"), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** Starts a WebServer of this class's loader whose handler answers its context; one request with the header. */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String header) {
            // Helidon finds its protocols with ServiceLoader through the context class loader: this one's
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(Driver.class.getClassLoader());
            try {
                return serve(header);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private static String serve(String header) {
            WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                    .routing(r -> r.any((req, res) -> res.send(String.valueOf(Context.current()))))
                    .build().start();
            try (Http11Front front = new Http11Front(server.port())) {
                Balancer.Answer a = Balancer.get("http://127.0.0.1:" + front.port() + "/x", header);
                return a.status + " " + a.body;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                server.stop();
            }
        }
    }

    private static ClassLoader renamedRoute() {
        return new ChangedLibrary("changed-helidon-server", UnknownServerVersionTest.class.getClassLoader(),
                name -> name.startsWith("io.helidon.webserver.") || name.equals(Driver.class.getName()),
                ChangedLibrary.renaming(owner -> owner.startsWith("io/helidon/webserver/"), "route", ROUTE,
                        "routeTheRequest"));
    }
}

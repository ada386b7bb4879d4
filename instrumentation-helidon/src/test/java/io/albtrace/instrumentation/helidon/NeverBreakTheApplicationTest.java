package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC 7: a Helidon client version the agent does not know is left as it is, with one warning. */
@ExtendWith(InstalledAgent.class)
class NeverBreakTheApplicationTest {

    private static final String WRITE_HEADERS = "(Lio/helidon/webclient/api/ClientConnection;Lio/helidon/http/Headers;"
            + "Lio/helidon/common/buffers/BufferData;ZLio/helidon/http/http1/Http1ConnectionListener;)V";

    /**
     * A future Helidon HTTP/1.1 client whose call chain has no {@code writeHeaders(...)}, which the agent weaves: this
     * run's helidon-webclient-http1 classes in class loaders of their own, with that method renamed where declared and
     * where called (the client itself still works). The check before weaving says so once, weaves none of those
     * classes there, and the application's calls go out exactly as without the agent: no trace header although a
     * context is bound. The application's own Helidon client, in its own class loader, is still woven and forwards.
     */
    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(renamedWriteHeaders());
                    assertEquals("ok", driver.apply(raw.url("/a" + i)), "the application's call works");
                    assertEquals("ok", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String normalized = warning.replaceFirst("@[0-9a-f]+\\)", "@ID)");
        assertTrue(normalized.startsWith("helidon: "), warning);
        assertTrue(normalized.contains("(helidon-webclient-http1-4.5.0.jar) is not a version this agent knows: it has no"
                + " method of io.helidon.webclient.http1.Http1CallChainBase matching"), warning);
        assertTrue(normalized.contains("named(writeHeaders)"), warning);
        assertTrue(normalized.endsWith("which Http1HeadersInstrumentation instruments. The helidon instrumentation is"
                + " skipped in class loader changed-helidon-client (" + ChangedLibrary.class.getName()
                + "@ID), whose classes are left unchanged (no trace header from them)"), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");

        // the application's real client, in its own loader, is still woven and forwards
        try (RecordingServer server = new RecordingServer()) {
            assertEquals("ok", new Driver().apply(server.url("/real")));
            Trace.self(server.only().traceHeader(), Trace.CONTEXT);
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader helidonClient) throws Exception {
        return (Function<String, String>) helidonClient.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with a new {@code Http1Client} of the
     * class loader that defined this class; returns the response's body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        @SuppressWarnings("try") // a Scope is opened for its effect on the context
        public String apply(String url) {
            Http1Client client = Http1Client.builder().build();
            try (Scope s = Context.bind(Trace.CONTEXT);
                    HttpClientResponse r = client.get().uri(URI.create(url)).request()) {
                return r.as(String.class);
            } finally {
                client.closeResource();
            }
        }
    }

    /**
     * This run's helidon-webclient-http1 classes ({@code io.helidon.webclient.http1}) and {@link Driver} in a class
     * loader of their own ({@link ChangedLibrary}), the rest of Helidon from the parent; every one of those classes has
     * {@code writeHeaders(...)} as {@code writeTheHeaders}, declared and called.
     */
    private static ClassLoader renamedWriteHeaders() {
        return new ChangedLibrary("changed-helidon-client", NeverBreakTheApplicationTest.class.getClassLoader(),
                name -> name.startsWith("io.helidon.webclient.http1.") || name.equals(Driver.class.getName()),
                ChangedLibrary.renaming(owner -> owner.startsWith("io/helidon/webclient/http1/"), "writeHeaders",
                        WRITE_HEADERS, "writeTheHeaders"));
    }
}

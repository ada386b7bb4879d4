package io.albtrace.instrumentation.jetty.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.SelfSignedTls;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC 7: a Jetty client version the agent does not know is left as it is, with one warning. */
@ExtendWith(InstalledAgent.class)
class NeverBreakTheApplicationTest {

    private static final String NORMALIZE = "(Lorg/eclipse/jetty/client/transport/HttpRequest;)V";

    /**
     * A future Jetty client whose connections have no {@code normalizeRequest(HttpRequest)}, which the agent weaves:
     * this run's jetty-client classes in class loaders of their own, with that method renamed where declared and where
     * called (the client itself still works). The check before weaving says so once, weaves none of the client's
     * classes in those class loaders, and the application's calls go out exactly as without the agent: no trace
     * header although a context is bound. The application's own Jetty client, in its own class loader, is still
     * woven and forwards.
     */
    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(renamedNormalizeRequest());
                    assertEquals("ok", driver.apply(raw.url("/a" + i)), "the application's call works");
                    assertEquals("ok", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String normalized = warning.replaceFirst("@[0-9a-f]+\\)", "@ID)");
        assertTrue(normalized.startsWith("jetty-httpclient: "), warning);
        assertTrue(normalized.contains("(jetty-client-12.1.14.jar) is not a version this agent knows: it has no method"
                + " of org.eclipse.jetty.client.transport.HttpConnection matching"), warning);
        assertTrue(normalized.contains("named(normalizeRequest)"), warning);
        assertTrue(normalized.endsWith("which NormalizeRequestInstrumentation instruments. The jetty-httpclient"
                + " instrumentation is skipped in class loader changed-jetty-client (" + ChangedLibrary.class.getName()
                + "@ID), whose classes are left unchanged (no trace header from them)"), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");

        // the application's real client, in its own loader, is still woven and forwards
        try (RecordingServer server = new RecordingServer()) {
            assertEquals("ok", new Driver().apply(server.url("/real")));
            Trace.self(server.only().traceHeader(), Trace.CONTEXT);
        }
    }

    /**
     * The same for the older line: a Jetty 10 client whose {@code HttpConnection} has no {@code normalizeRequest}
     * (renamed where declared and called, in class loaders of their own over the real 10.0.26 jars): one warning
     * naming that jar, its calls go out without a header although a context is bound; the real 10.0.26 next to it
     * still forwards.
     */
    @Test
    void anUnknownOlderClientShapeIsLeftUnchangedWithOneWarningAndTheRealOneStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                for (int i = 0; i < 2; i++) {
                    ClassLoader changed = new ChangedLibrary("changed-jetty-client-10", OldJetty.loader("10"),
                            name -> name.startsWith("org.eclipse.jetty.client.")
                                    || name.startsWith("io.albtrace.instrumentation.jetty.client9."),
                            ChangedLibrary.renaming(owner -> owner.startsWith("org/eclipse/jetty/client/"),
                                    "normalizeRequest", "(Lorg/eclipse/jetty/client/HttpRequest;)V",
                                    "normalizeTheRequest"));
                    OldJetty.Factory factory = (OldJetty.Factory) changed
                            .loadClass("io.albtrace.instrumentation.jetty.client9.Jetty9Driver")
                            .getConstructor().newInstance();
                    assertEquals("ok", getInContext(factory, raw.url("/a" + i)), "the application's call works");
                    assertEquals("ok", getInContext(factory, raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String normalized = warning.replaceFirst("@[0-9a-f]+\\)", "@ID)");
        assertTrue(normalized.startsWith("jetty-httpclient: "), warning);
        assertTrue(normalized.contains("(jetty-client-10.0.26.jar) is not a version this agent knows: it has no method"
                + " of org.eclipse.jetty.client.HttpConnection matching"), warning);
        assertTrue(normalized.endsWith("which Jetty9NormalizeRequestInstrumentation instruments. The jetty-httpclient"
                + " instrumentation is skipped in class loader changed-jetty-client-10 ("
                + ChangedLibrary.class.getName() + "@ID), whose classes are left unchanged (no trace header from"
                + " them)"), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");

        try (RecordingServer server = new RecordingServer()) {
            assertEquals("ok", getInContext(OldJetty.factory("10"), server.url("/real")));
            Trace.self(server.only().traceHeader(), Trace.CONTEXT);
        }
    }

    /** A GET with a new client of {@code factory}'s, in the context {@link Trace#CONTEXT}; the response's body. */
    @SuppressWarnings("try") // a Scope is opened for its effect on the context
    private static String getInContext(OldJetty.Factory factory, String url) throws Exception {
        try (OldJetty.Client client = factory.newClient(false, SelfSignedTls.get().context, null);
                Scope s = Context.bind(Trace.CONTEXT)) {
            return client.send(client.request("GET", url, List.of())).body;
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader jettyClient) throws Exception {
        return (Function<String, String>) jettyClient.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with a new Jetty {@code HttpClient}
     * of the class loader that defined this class; returns the response's body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        @SuppressWarnings("try") // a Scope is opened for its effect on the context
        public String apply(String url) {
            HttpClient client = new HttpClient();
            try {
                client.start();
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    return client.GET(url).getContentAsString();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                try {
                    client.stop();
                } catch (Exception e) {
                    // the test's own client
                }
            }
        }
    }

    /**
     * This run's jetty-client classes ({@code org.eclipse.jetty.client}) and {@link Driver} in a class loader of
     * their own ({@link ChangedLibrary}), the rest of Jetty from the parent; every one of those classes has
     * {@code normalizeRequest(HttpRequest)} as {@code normalizeTheRequest}, declared and called.
     */
    private static ClassLoader renamedNormalizeRequest() {
        return new ChangedLibrary("changed-jetty-client", NeverBreakTheApplicationTest.class.getClassLoader(),
                name -> name.startsWith("org.eclipse.jetty.client.") || name.equals(Driver.class.getName()),
                ChangedLibrary.renaming(owner -> owner.startsWith("org/eclipse/jetty/client/"), "normalizeRequest",
                        NORMALIZE, "normalizeTheRequest"));
    }
}

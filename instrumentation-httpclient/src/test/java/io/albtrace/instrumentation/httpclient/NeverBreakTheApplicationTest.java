package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 7: an HttpClient version the agent does not know is left as it is, with one warning. (A failure inside the
 * agent: the contract's {@code aFailingIdSourceLeavesTheCallAsIfTheAgentWereAbsent}, on every way.)
 */
@ExtendWith(InstalledAgent.class)
class NeverBreakTheApplicationTest {

    private static final String DO_EXECUTE = "(Lorg/apache/hc/core5/http/HttpHost;"
            + "Lorg/apache/hc/core5/http/ClassicHttpRequest;Lorg/apache/hc/core5/http/protocol/HttpContext;)"
            + "Lorg/apache/hc/client5/http/impl/classic/CloseableHttpResponse;";

    /**
     * A future HttpClient 5 whose classic clients have no {@code doExecute(HttpHost, ClassicHttpRequest,
     * HttpContext)}, which the agent weaves: this run's HttpClient 5 in class loaders of its own, with that method
     * renamed where declared and where called (HttpClient itself still works). The installed agent's check before
     * weaving says so once (the library, its version, the method), weaves none of HttpClient's classes in those class
     * loaders, and the application's calls go out exactly as without the agent: no trace header although a context
     * is bound. The application's own HttpClient, in its own class loader, is still woven and forwards.
     */
    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(renamedDoExecute());
                    assertEquals("ok", driver.apply(raw.url("/a" + i)), "the application's call works");
                    assertEquals("ok", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String version = System.getProperty("httpclient5.test.version");
        String expected = "apache-httpclient: Apache HttpClient " + version + " (httpclient5-" + version
                + ".jar) is not a version this agent knows: it has no method of"
                + " org.apache.hc.client5.http.impl.classic.InternalHttpClient matching ((((named(doExecute) and"
                + " takesArguments(3)) and takesArgument(0, named(org.apache.hc.core5.http.HttpHost))) and"
                + " takesArgument(1, named(org.apache.hc.core5.http.ClassicHttpRequest))) and takesArgument(2,"
                + " named(org.apache.hc.core5.http.protocol.HttpContext))), which ClassicHttpClientInstrumentation"
                + " instruments. The apache-httpclient instrumentation is skipped in class loader changed-httpclient5 ("
                + ChangedLibrary.class.getName() + "@ID), whose classes are left unchanged (no trace header from them)";
        assertEquals(expected, warning.replaceFirst("@[0-9a-f]+\\)", "@ID)"), "the library, its version, the method");
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");

        // the application's real client, in its own loader, is still woven and forwards
        try (RecordingServer server = new RecordingServer(); CloseableHttpClient client = HttpClients.createDefault()) {
            String body = client.execute(new HttpGet(server.url("/real")),
                    response -> EntityUtils.toString(response.getEntity()));
            assertEquals("ok", body);
            Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader httpClient) throws Exception {
        return (Function<String, String>) httpClient.loadClass(Driver.class.getName()).getConstructor()
                .newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with a default classic client of the
     * HttpClient 5 of the class loader that defined this class; returns the response's body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        @SuppressWarnings("try") // a Scope is opened for its effect on the context
        public String apply(String url) {
            try (CloseableHttpClient client = HttpClients.createDefault(); Scope s = Context.bind(Trace.CONTEXT)) {
                return client.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * This run's HttpClient 5 classes ({@code org.apache.hc.client5}) and {@link Driver} in a class loader of their
     * own ({@link ChangedLibrary}), HttpCore from the parent; every HttpClient class has the classic clients'
     * {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)} as {@code doExecuteRequest}, declared and called.
     */
    private static ClassLoader renamedDoExecute() {
        return new ChangedLibrary("changed-httpclient5", NeverBreakTheApplicationTest.class.getClassLoader(),
                name -> name.startsWith("org.apache.hc.client5.") || name.equals(Driver.class.getName()),
                ChangedLibrary.renaming(owner -> owner.startsWith("org/apache/hc/client5/"), "doExecute", DO_EXECUTE,
                        "doExecuteRequest"));
    }
}

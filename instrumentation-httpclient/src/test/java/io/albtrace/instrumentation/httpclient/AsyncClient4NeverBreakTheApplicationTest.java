package io.albtrace.instrumentation.httpclient;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 7: an HttpAsyncClient version the agent does not know is left as it is, with one warning.
 */
@ExtendWith(InstalledAgent.class)
class AsyncClient4NeverBreakTheApplicationTest {

    private static final String SET_CURRENT_REQUEST = "(Lorg/apache/http/client/methods/HttpRequestWrapper;)V";

    /**
     * A future HttpAsyncClient whose exchange handlers have no {@code setCurrentRequest(HttpRequestWrapper)}, which the
     * agent weaves: this run's HttpAsyncClient classes in class loaders of their own, with that method renamed where
     * declared and where called (the client itself still works). The check before weaving says so once (the module,
     * the library's jar, the method), weaves none of HttpAsyncClient's classes in those class loaders, and the
     * application's calls go out exactly as without the agent: no trace header although a context is bound. The
     * application's own HttpAsyncClient, in its own class loader, is still woven and forwards.
     */
    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(renamedSetCurrentRequest());
                    assertEquals("ok", driver.apply(raw.url("/a" + i)), "the application's call works");
                    assertEquals("ok", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String normalized = warning.replaceFirst("@[0-9a-f]+\\)", "@ID)");
        assertTrue(normalized.startsWith("apache-httpasyncclient: "), warning);
        assertTrue(normalized.contains("(httpasyncclient-4.1.5.jar) is not a version this agent knows: it has no method"
                + " of org.apache.http.impl.nio.client.AbstractClientExchangeHandler matching"), warning);
        assertTrue(normalized.contains("named(setCurrentRequest)"), warning);
        assertTrue(normalized.endsWith("which AsyncClient4ExchangeInstrumentation instruments. The apache-httpasyncclient"
                + " instrumentation is skipped in class loader changed-httpasyncclient (" + ChangedLibrary.class.getName()
                + "@ID), whose classes are left unchanged (no trace header from them)"), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");

        // the application's real client, in its own loader, is still woven and forwards
        try (RecordingServer server = new RecordingServer();
                CloseableHttpAsyncClient client = HttpAsyncClients.createDefault()) {
            client.start();
            HttpResponse response = client.execute(new HttpGet(server.url("/real")), null).get(30, TimeUnit.SECONDS);
            assertEquals("ok", EntityUtils.toString(response.getEntity()));
            Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader httpAsyncClient) throws Exception {
        return (Function<String, String>) httpAsyncClient.loadClass(Driver.class.getName()).getConstructor()
                .newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with a default HttpAsyncClient of the
     * class loader that defined this class; returns the response's body.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        @SuppressWarnings("try") // a Scope is opened for its effect on the context
        public String apply(String url) {
            try (CloseableHttpAsyncClient client = HttpAsyncClients.createDefault()) {
                client.start();
                HttpResponse response;
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    response = client.execute(new HttpGet(url), null).get(30, TimeUnit.SECONDS);
                }
                return EntityUtils.toString(response.getEntity());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * This run's HttpAsyncClient classes ({@code org.apache.http.impl.nio.client}) and {@link Driver} in a class
     * loader of their own ({@link ChangedLibrary}), HttpCore and httpcore-nio from the parent; every one of those
     * classes has {@code setCurrentRequest(HttpRequestWrapper)} as {@code setCurrentRequestNow}, declared and called.
     */
    private static ClassLoader renamedSetCurrentRequest() {
        return new ChangedLibrary("changed-httpasyncclient", AsyncClient4NeverBreakTheApplicationTest.class.getClassLoader(),
                name -> name.startsWith("org.apache.http.impl.nio.client.") || name.equals(Driver.class.getName()),
                ChangedLibrary.renaming(owner -> owner.startsWith("org/apache/http/impl/nio/client/"),
                        "setCurrentRequest", SET_CURRENT_REQUEST, "setCurrentRequestNow"));
    }
}

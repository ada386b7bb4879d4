package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * An OkHttp the agent does not know: this run's OkHttp jar loaded again in a class loader of its own, with
 * {@code Headers.name(int)}, which the agent's advice calls, renamed {@code nameAt(int)} in every OkHttp class (as a
 * later OkHttp could rename it: OkHttp itself still works). The installed agent's check before weaving finds the
 * method missing, says so once (the library, its version from the jar's manifest, the method), weaves none of OkHttp's
 * classes in that class loader, and the application's call goes out exactly as without the agent: no trace header
 * (SPEC 7), although a context is bound.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ChangedLibraryVersionTest extends OkHttpTestSupport {

    @Test
    void aMissingMethodSkipsOkHttpWithOneWarningAndTheCallsStillWork() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(okhttp(true));
                    assertEquals("none", driver.apply(raw.url("/a" + i)), "the call's request is the application's");
                    assertEquals("none", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String version = System.getProperty("okhttp.test.version"); // okhttp3.OkHttp is not in 3.14
        assertTrue(warning.startsWith("okhttp: "), warning);
        // OkHttp 5's jar says its version in its manifest, 3.14's in its pom.properties; 4.12's says none (its
        // OkHttp.VERSION constant is not read: left for later), so the jar's name says it
        String named = version.startsWith("4.") ? " (version unknown) (okhttp-" + version + ".jar)"
                : " " + version + " (okhttp";
        assertTrue(warning.contains(named), "names the library and its version: " + warning);
        assertTrue(warning.contains("it has no method okhttp3.Headers.name(int) returning java.lang.String, which "),
                warning);
        assertTrue(warning.contains("The okhttp instrumentation is skipped in class loader changed-okhttp ("), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** The same, unchanged OkHttp in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameOkHttpUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        try (RawHttpServer raw = new RawHttpServer()) {
            Function<String, String> driver = driver(okhttp(false));
            driver.apply(raw.url("/control"));
            List<String> trace = raw.only().traceHeaders();
            assertEquals(1, trace.size(), raw.only()::toString);
            Trace.self(trace.get(0), Trace.CONTEXT);
        }
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader okhttp) throws Exception {
        return (Function<String, String>) okhttp.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with the OkHttp of the class loader
     * that defined this class; returns the trace header {@code call.request()} shows ({@code none} when none).
     */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String url) {
            OkHttpClient client = new OkHttpClient();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                Call call = client.newCall(new Request.Builder().url(url).build());
                String shown = call.request().header(Trace.NAME);
                try (Response response = call.execute()) {
                    assertEquals(200, response.code());
                    assertEquals("ok", response.body().string());
                }
                return shown == null ? "none" : shown;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        }
    }

    /**
     * This run's OkHttp classes and {@link Driver} in a class loader of their own ({@link ChangedLibrary}); with
     * {@code rename}, every OkHttp class has {@code Headers.name(int)} as {@code nameAt(int)}, declared and called.
     */
    private static ClassLoader okhttp(boolean rename) {
        return new ChangedLibrary(rename ? "changed-okhttp" : "unchanged-okhttp",
                ChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("okhttp3.") || name.equals(Driver.class.getName()),
                rename ? ChangedLibrary.renaming("okhttp3/Headers"::equals, "name", "(I)Ljava/lang/String;", "nameAt")
                        : bytes -> bytes);
    }
}

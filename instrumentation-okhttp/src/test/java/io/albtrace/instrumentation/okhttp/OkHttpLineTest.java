package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * Proof of which OkHttp line this test run uses: each surefire execution names the version it put on the
 * class path ({@code okhttp.test.version}) and the classes really loaded must come from that jar.
 */
class OkHttpLineTest extends OkHttpTestSupport {

    static String expectedVersion() {
        String v = System.getProperty("okhttp.test.version");
        assertNotNull(v, "the surefire execution must set -Dokhttp.test.version");
        return v;
    }

    static boolean isOkHttp3() {
        return expectedVersion().startsWith("3.");
    }

    /** OkHttp 5.3 and later: calls have tags ({@code Call.tag(Class, Function0)}). */
    static boolean hasCallTags() {
        String[] v = expectedVersion().split("\\.");
        int major = Integer.parseInt(v[0]);
        return major > 5 || (major == 5 && Integer.parseInt(v[1]) >= 3);
    }

    static String jarOf(Class<?> type) throws URISyntaxException {
        Path p = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return p.getFileName().toString();
    }

    @Test
    void realCallComesFromTheExpectedJar() throws Exception {
        String v = expectedVersion();
        String jar = v.startsWith("5.") ? "okhttp-jvm-" + v + ".jar" : "okhttp-" + v + ".jar";
        Class<?> realCall = Class.forName(isOkHttp3() ? "okhttp3.RealCall" : "okhttp3.internal.connection.RealCall");
        assertEquals(jar, jarOf(realCall));
        assertEquals(jar, jarOf(okhttp3.OkHttpClient.class));
        assertEquals(jar, jarOf(Class.forName("okhttp3.internal.connection.Exchange")));
    }

    @Test
    void okioAndKotlinAreThoseOfThatLine() throws Exception {
        String v = expectedVersion();
        Class<?> okio = Class.forName("okio.Buffer");
        if (v.startsWith("3.")) {
            assertEquals("okio-1.17.2.jar", jarOf(okio));
            assertEquals(null, classOrNull("kotlin.Unit"), "OkHttp 3.14 runs without Kotlin");
        } else if (v.startsWith("4.")) {
            assertEquals("okio-jvm-3.6.0.jar", jarOf(okio));
            assertEquals("kotlin-stdlib-1.8.21.jar", jarOf(Class.forName("kotlin.Unit")));
        } else {
            assertEquals("okio-jvm-3.18.1.jar", jarOf(okio));
            assertEquals("kotlin-stdlib-2.1.21.jar", jarOf(Class.forName("kotlin.Unit")));
        }
    }

    @Test
    void theServerSeesThatVersionsUserAgent() throws Exception {
        execute(request("/ua").build());
        assertEquals("okhttp/" + expectedVersion(), server.only().header("User-Agent"));
    }

    private static Class<?> classOrNull(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}

package io.albtrace.instrumentation.jdk;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.Arrays;
import java.util.List;

/**
 * Installs the real JDK instrumentation into the test JVM, once, the way the agent does: the modules listed in
 * META-INF/services are found by the {@link Installer}, a class-file transformer is added and the JDK classes
 * loaded earlier are retransformed. The core classes are on the boot class path (see the pom), as in production.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "jdk";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = Arrays.asList("jdk.internal.net.http.HttpRequestImpl",
            "jdk.internal.net.http.Http1Request", "jdk.internal.net.http.frame.OutgoingHeaders",
            "sun.net.www.protocol.http.HttpURLConnection", "sun.net.www.http.HttpClient",
            "com.sun.net.httpserver.Filter$Chain", "java.util.concurrent.FutureTask",
            "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.CompletableFuture",
            "java.lang.ThreadBuilders", "java.lang.Thread", "java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.ForkJoinPool");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

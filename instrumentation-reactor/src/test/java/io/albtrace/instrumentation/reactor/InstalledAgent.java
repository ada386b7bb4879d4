package io.albtrace.instrumentation.reactor;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.weaver.Installer;
import java.util.Arrays;
import java.util.List;

/**
 * Installs the real agent into the test JVM, once, as the agent does: the {@link Installer} finds this module and the
 * JDK's (the server entry {@code HttpServer}, the client {@code HttpClient}, the executors) on the test class path.
 * The core classes are on the boot class path (see the pom), as in production.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "reactor";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = Arrays.asList("reactor.core.publisher.Flux", "reactor.core.publisher.Mono",
            "reactor.core.publisher.Hooks", "reactor.core.scheduler.Schedulers",
            "reactor.core.publisher.SinkOneMulticast", "com.sun.net.httpserver.Filter$Chain",
            "jdk.internal.net.http.HttpRequestImpl", "java.util.concurrent.FutureTask");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

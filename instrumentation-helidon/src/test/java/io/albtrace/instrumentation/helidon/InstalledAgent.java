package io.albtrace.instrumentation.helidon;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.weaver.Installer;
import java.util.List;

/**
 * Installs the real instrumentation into the test JVM, once, as the agent does: the {@link Installer} finds the
 * modules on the test class path (this one and the JDK's, whose clients and executors the contract's application
 * uses) before any Helidon class is loaded. The core classes are on the boot class path (see the pom), as in
 * production.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "helidon";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = List.of(
            "io.helidon.webserver.http.HttpRoutingImpl",
            "io.helidon.webclient.api.ClientRequestBase",
            "io.helidon.webclient.http1.Http1CallChainBase",
            "io.helidon.webclient.http2.Http2ClientStream");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

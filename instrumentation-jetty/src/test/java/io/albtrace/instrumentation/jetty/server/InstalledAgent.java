package io.albtrace.instrumentation.jetty.server;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.weaver.Installer;
import java.util.List;

/**
 * Installs the real instrumentation into the test JVM, once, as the agent does: this module's (the Jetty client's and
 * the core server's), the servlet one and the JDK's, found on the server tests' class path (the pom's
 * {@code jetty-server} execution) before any Jetty server class is loaded. The core classes are on the boot class
 * path, as in production.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "jetty";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = List.of(ServerHandleInstrumentation.TYPE,
            ChannelRequestDemandInstrumentation.TYPE);

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /**
     * Only in the pom's {@code jetty-server} execution, whose class path has the JDK and servlet instrumentation and
     * whose boot class path has the core classes; the client's tests (the default execution) skip these.
     */
    @Override
    public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("jetty.server.tests"),
                "the server tests run in the jetty-server execution");
        super.beforeAll(context);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

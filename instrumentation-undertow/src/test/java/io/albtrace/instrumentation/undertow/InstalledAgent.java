package io.albtrace.instrumentation.undertow;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.weaver.Installer;
import java.util.Arrays;
import java.util.List;

/**
 * Installs the real instrumentation into the test JVM, once, as the agent does: the {@link Installer} finds the
 * modules on the test class path (this one, the servlet one and the JDK's, whose clients and executors the contract's
 * application uses) before any Undertow class is loaded. The core classes are on the boot class path (the pom).
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "undertow";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = Arrays.asList(ConnectorsInstrumentation.TYPE,
            HttpServerExchangeInstrumentation.TYPE);

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

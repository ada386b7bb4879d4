package io.albtrace.instrumentation.servlet;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.Collections;
import java.util.List;

/**
 * Installs the real instrumentation into the test JVM, once, as the agent does: the {@link Installer} finds the
 * modules on the test class path (this one and the JDK's, whose {@code HttpURLConnection} the servlets call the
 * back service with) and adds its transformer before any container class is loaded. The core classes are on the
 * boot class path (see the pom), as in production.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "servlet";
    static final boolean BOOT_CORE = true;

    static final List<String> TYPES = Collections.emptyList();

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

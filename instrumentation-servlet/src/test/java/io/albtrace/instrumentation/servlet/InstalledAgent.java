package io.albtrace.instrumentation.servlet;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.Collections;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real instrumentation into the test JVM, once, as the agent does: the {@link Installer} finds the
 * modules on the test class path (this one and the JDK's, whose {@code HttpURLConnection} the servlets call the
 * back service with) and adds its transformer before any container class is loaded. The core classes are on the
 * boot class path (see the pom), as in production.
 */
public final class InstalledAgent implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestAgent.assertNothingLeftToByteBuddy();
        TestAgent.assertNoVersionProblems();
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install("servlet", Collections.<String>emptyList(), true);
    }
}

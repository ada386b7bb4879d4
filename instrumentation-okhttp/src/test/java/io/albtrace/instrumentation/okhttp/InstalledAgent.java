package io.albtrace.instrumentation.okhttp;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.Arrays;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real OkHttp instrumentation into the test JVM, once, the way the agent does: the modules
 * listed in META-INF/services are found by the {@link Installer} and a class-file transformer is added;
 * a RealCall loaded earlier is retransformed.
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
        return TestAgent.install("okhttp", Arrays.asList("okhttp3.RealCall", "okhttp3.internal.connection.RealCall"),
                false);
    }
}

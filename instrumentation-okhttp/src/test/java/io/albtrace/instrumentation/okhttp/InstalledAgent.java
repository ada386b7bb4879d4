package io.albtrace.instrumentation.okhttp;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import java.util.Arrays;
import java.util.List;

/**
 * Installs the real OkHttp instrumentation into the test JVM, once, the way the agent does: the modules
 * listed in META-INF/services are found by the {@link Installer} and a class-file transformer is added;
 * a RealCall loaded earlier is retransformed.
 */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "okhttp";
    static final boolean BOOT_CORE = false;

    static final List<String> TYPES = Arrays.asList("okhttp3.RealCall", "okhttp3.internal.connection.RealCall");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

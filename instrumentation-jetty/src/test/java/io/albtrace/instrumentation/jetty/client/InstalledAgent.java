package io.albtrace.instrumentation.jetty.client;

import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.weaver.Installer;
import java.util.List;

/** Installs the real Jetty HttpClient instrumentation into the test JVM, once, the way the agent does. */
public final class InstalledAgent extends TestAgent.Extension {

    static final String WHAT = "jetty-httpclient";
    static final boolean BOOT_CORE = false;

    static final List<String> TYPES = List.of(
            "org.eclipse.jetty.client.transport.HttpRequest",
            "org.eclipse.jetty.client.transport.HttpConnection",
            // Jetty 9.4, 10 and 11
            "org.eclipse.jetty.client.HttpRequest",
            "org.eclipse.jetty.client.HttpConnection");

    public InstalledAgent() {
        super(WHAT, TYPES, BOOT_CORE);
    }

    /** The installed agent ({@link TestAgent}); installs it the first time. */
    static Installer install() {
        return TestAgent.install(WHAT, TYPES, BOOT_CORE);
    }
}

package io.albtrace.instrumentation.servlet;

import io.albtrace.core.Outgoing;
import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import net.bytebuddy.agent.ByteBuddyAgent;
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

    private static Installer installer;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /** Every class the tests loaded was woven by the agent's own ASM weaver, none left to Byte Buddy. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (!Installer.wovenByByteBuddy().isEmpty()) {
            throw new IllegalStateException("the ASM weaver left these to Byte Buddy: " + Installer.wovenByByteBuddy());
        }
    }

    static synchronized void install() {
        if (installer != null) {
            return;
        }
        if (Outgoing.class.getClassLoader() != null) {
            throw new IllegalStateException("the core classes must be on the boot class path: -Xbootclasspath/a");
        }
        installer = Installer.install(ByteBuddyAgent.install(), InstalledAgent.class.getClassLoader());
        for (InstrumentationModule module : Installer.discover(InstalledAgent.class.getClassLoader())) {
            String mismatch = module.typeNamesMismatch(module.typeInstrumentations());
            if (mismatch != null) {
                throw new IllegalStateException(module + ": " + mismatch);
            }
        }
        // java.lang.Thread, loaded before the installer, is changed by the warm-up thread (the executors
        // instrumentation on this class path): the contract's threads started from a request must see that change
        installer.awaitWarmUp(60_000);
    }
}

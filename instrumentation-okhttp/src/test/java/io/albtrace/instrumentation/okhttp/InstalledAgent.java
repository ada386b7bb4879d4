package io.albtrace.instrumentation.okhttp;

import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real OkHttp instrumentation into the test JVM, once, the way the agent does: the modules
 * listed in META-INF/services are found by the {@link Installer} and a class-file transformer is added;
 * a RealCall loaded earlier is retransformed.
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

    /** The installed transformer; installs it the first time. */
    static synchronized Installer install() {
        if (installer == null) {
            ClassLoader testLoader = InstalledAgent.class.getClassLoader();
            installer = Installer.install(ByteBuddyAgent.install(), testLoader);
            if (installer == null) {
                throw new IllegalStateException("the Installer found no enabled instrumentation module");
            }
            // each module's names, which the installer reads at start-up, are exactly its type instrumentations'
            for (InstrumentationModule module : Installer.discover(testLoader)) {
                String mismatch = module.typeNamesMismatch(module.typeInstrumentations());
                if (mismatch != null) {
                    throw new IllegalStateException(module + ": " + mismatch);
                }
            }
            Set<String> names = installer.typeNames();
            if (!names.contains("okhttp3.RealCall") || !names.contains("okhttp3.internal.connection.RealCall")) {
                throw new IllegalStateException("the okhttp module is not installed: " + names);
            }
        }
        return installer;
    }
}

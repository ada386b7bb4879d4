package io.albtrace.instrumentation.okhttp;

import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Set;
import java.util.TreeSet;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real OkHttp instrumentation into the test JVM, once, the way the agent does: the modules
 * listed in META-INF/services are found by the {@link Installer} and a class-file transformer is added;
 * a RealCall loaded earlier is retransformed.
 */
public final class InstalledAgent implements BeforeAllCallback {

    private static Installer installer;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
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
                Set<String> changed = new TreeSet<>();
                for (TypeInstrumentation type : module.typeInstrumentations()) {
                    changed.addAll(type.typeNames());
                }
                if (!new TreeSet<>(module.typeNames()).equals(changed)) {
                    throw new IllegalStateException(module + ": typeNames() " + module.typeNames()
                            + ", but its type instrumentations change " + changed);
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

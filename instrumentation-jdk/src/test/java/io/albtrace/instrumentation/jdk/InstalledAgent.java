package io.albtrace.instrumentation.jdk;

import io.albtrace.core.Outgoing;
import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real JDK instrumentation into the test JVM, once, the way the agent does: the modules listed in
 * META-INF/services are found by the {@link Installer}, a class-file transformer is added and the JDK classes
 * loaded earlier are retransformed. The core classes are on the boot class path (see the pom), as in production.
 */
public final class InstalledAgent implements BeforeAllCallback, AfterAllCallback {

    static final List<String> TYPES = Arrays.asList("jdk.internal.net.http.HttpRequestImpl",
            "jdk.internal.net.http.Http1Request", "jdk.internal.net.http.frame.OutgoingHeaders",
            "sun.net.www.protocol.http.HttpURLConnection", "sun.net.www.http.HttpClient",
            "com.sun.net.httpserver.Filter$Chain", "java.util.concurrent.FutureTask",
            "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.CompletableFuture",
            "java.lang.ThreadBuilders", "java.lang.Thread", "java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.ForkJoinPool");

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

    static synchronized Installer install() {
        if (installer == null) {
            if (Outgoing.class.getClassLoader() != null) {
                throw new IllegalStateException("the core classes must be on the boot class path: -Xbootclasspath/a");
            }
            installer = Installer.install(ByteBuddyAgent.install(), InstalledAgent.class.getClassLoader());
            if (installer == null) {
                throw new IllegalStateException("the Installer found no enabled instrumentation module");
            }
            // each module's names, which the installer reads at start-up, are exactly its type instrumentations'
            for (InstrumentationModule module : Installer.discover(InstalledAgent.class.getClassLoader())) {
                String mismatch = module.typeNamesMismatch(module.typeInstrumentations());
                if (mismatch != null) {
                    throw new IllegalStateException(module + ": " + mismatch);
                }
            }
            // java.lang.Thread, loaded before the installer, is changed by the warm-up thread
            installer.awaitWarmUp(60_000);
            Set<String> names = installer.typeNames();
            if (!names.containsAll(TYPES)) {
                throw new IllegalStateException("the jdk modules are not installed: " + names);
            }
        }
        return installer;
    }
}

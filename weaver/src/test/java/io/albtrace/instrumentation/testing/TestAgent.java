package io.albtrace.instrumentation.testing;

import io.albtrace.core.Outgoing;
import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.Collection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.Set;
import java.util.TreeSet;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * The agent as each instrumentation module's tests install it: the real {@link Installer}, once per JVM, through
 * Byte Buddy's self-attach, with the modules listed in META-INF/services on the test class path. The module's own
 * JUnit extension ({@code InstalledAgent}, an {@link Extension}) calls {@link #install} before its test classes and
 * {@link #assertNothingLeftToByteBuddy} and {@link #assertNoVersionProblems} after each.
 */
public final class TestAgent {

    private static Installer installer;
    /** Warnings of the check before weaving that a test caused on purpose (a library changed to lack a member). */
    private static final Set<String> EXPECTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TestAgent() {
    }

    /**
     * Installs the agent the first time and checks it: each module's type names (read at start-up) are exactly its
     * type instrumentations'; the installer watches every class of {@code expectedTypes}; the warm-up, which changes
     * the JDK classes loaded before the installer ({@code java.lang.Thread}), is done.
     *
     * @param what          the module, for messages
     * @param bootCore      whether the core classes must be in the bootstrap class loader (advice in the JDK's own
     *                      classes calls them: {@code -Xbootclasspath/a} in the module's surefire set-up)
     * @throws IllegalStateException when any of that is not so
     */
    public static synchronized Installer install(String what, Collection<String> expectedTypes, boolean bootCore) {
        if (installer == null) {
            if (bootCore && Outgoing.class.getClassLoader() != null) {
                throw new IllegalStateException("the core classes must be on the boot class path: -Xbootclasspath/a");
            }
            ClassLoader testLoader = TestAgent.class.getClassLoader();
            Installer installed = Installer.install(ByteBuddyAgent.install(), testLoader);
            if (installed == null) {
                throw new IllegalStateException("the Installer found no enabled instrumentation module");
            }
            for (InstrumentationModule module : Installer.discover(testLoader)) {
                String mismatch = module.typeNamesMismatch(module.typeInstrumentations());
                if (mismatch != null) {
                    throw new IllegalStateException(module + ": " + mismatch);
                }
            }
            installed.awaitWarmUp(60_000);
            installer = installed;
        }
        Set<String> missing = new TreeSet<>(expectedTypes);
        missing.removeAll(installer.typeNames());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the " + what + " module is not installed: " + missing + " not watched");
        }
        return installer;
    }

    /** Every class the tests loaded so far was woven by the agent's own ASM weaver, none left to Byte Buddy. */
    public static void assertNothingLeftToByteBuddy() {
        if (!Installer.wovenByByteBuddy().isEmpty()) {
            throw new IllegalStateException("the ASM weaver left these to Byte Buddy: " + Installer.wovenByByteBuddy());
        }
    }

    /**
     * The check before weaving found nothing missing in any library version the tests loaded (the agent's advice all
     * links there), besides what a test caused on purpose ({@link #expectVersionProblem}): a false positive would
     * leave a supported version uninstrumented.
     */
    public static void assertNoVersionProblems() {
        java.util.List<String> unexpected = new java.util.ArrayList<>(Installer.versionProblems());
        unexpected.removeAll(EXPECTED);
        if (!unexpected.isEmpty()) {
            throw new IllegalStateException("the check before weaving refused a library version the tests use: "
                    + unexpected);
        }
    }

    /**
     * The one warning the check before weaving said since it had said {@code before} ({@link
     * Installer#versionProblems}), marked as one the calling test caused on purpose.
     *
     * @throws IllegalStateException when it said none, or more than one
     */
    public static String expectOneNewVersionProblem(java.util.List<String> before) {
        java.util.List<String> found = new java.util.ArrayList<>(Installer.versionProblems());
        found.removeAll(before);
        if (found.size() != 1) {
            throw new IllegalStateException("the check before weaving said " + found.size() + " new warnings: "
                    + found);
        }
        expectVersionProblem(found.get(0));
        return found.get(0);
    }

    /** Marks a warning of the check before weaving as one the calling test caused on purpose. */
    public static void expectVersionProblem(String warning) {
        EXPECTED.add(warning);
    }

    /**
     * The JUnit extension a module's tests use ({@code @ExtendWith(InstalledAgent.class)}): a module subclasses it
     * with a public no-argument constructor that names the module and the classes its installer must watch.
     */
    public abstract static class Extension implements BeforeAllCallback, AfterAllCallback {

        private final String what;
        private final Collection<String> expectedTypes;
        private final boolean bootCore;

        /** The arguments of {@link TestAgent#install}. */
        protected Extension(String what, Collection<String> expectedTypes, boolean bootCore) {
            this.what = what;
            this.expectedTypes = expectedTypes;
            this.bootCore = bootCore;
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            install(what, expectedTypes, bootCore);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            assertNothingLeftToByteBuddy();
            assertNoVersionProblems();
        }
    }
}

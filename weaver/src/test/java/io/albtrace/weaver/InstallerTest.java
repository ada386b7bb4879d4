package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;

import static io.albtrace.weaver.TestInstrumentations.COUNTER;
import static io.albtrace.weaver.TestInstrumentations.ECHO;
import static io.albtrace.weaver.TestInstrumentations.FAULTY;
import static io.albtrace.weaver.TestInstrumentations.GREETER;
import static io.albtrace.weaver.TestInstrumentations.NEVER_LOADED;
import static io.albtrace.weaver.TestInstrumentations.ORPHAN;
import static io.albtrace.weaver.TestInstrumentations.UNMATCHED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer against a real {@link Instrumentation} (Byte Buddy's self-attach): fixture classes are loaded in
 * fresh {@link FixtureLoader}s, before or after installation, and their behaviour shows what was woven.
 */
class InstallerTest {

    static final String R = "1-67891233-abcdef012345678912345678";
    static final String CONTEXT = "Root=" + R + ";CalledFrom=app";
    static final Pattern NEW_ID = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");

    static Instrumentation instrumentation;

    private final ClassLoader agentLoader = InstallerTest.class.getClassLoader();
    private Config previousConfig;
    private Installer installer;

    @TempDir
    Path dir;

    @BeforeAll
    static void attach() {
        instrumentation = ByteBuddyAgent.install();
        assertTrue(instrumentation.isRetransformClassesSupported());
    }

    @BeforeEach
    void defaultSettings() {
        previousConfig = Config.install(config());
    }

    @AfterEach
    void uninstall() {
        if (installer != null) {
            installer.uninstall();
            installer = null;
        }
        Config.install(previousConfig);
        assertNull(Context.current(), "a test left a context bound");
    }

    /** Settings with only these system properties: the environment of the build does not count. */
    static Config config(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        Config c = Config.load(p, Map.of());
        assertEquals(List.of(), c.problems());
        return c;
    }

    Installer install() {
        installer = Installer.install(instrumentation, agentLoader);
        return installer;
    }

    static String internal(String binaryName) {
        return binaryName.replace('.', '/');
    }

    static Function<String, String> function(FixtureLoader loader, String className) throws Exception {
        return loader.newInstance(className);
    }

    static IntUnaryOperator counter(FixtureLoader loader) throws Exception {
        return loader.newInstance(COUNTER);
    }

    static String capture(ThrowingRunnable body) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static List<String> linesWith(String text, String needle) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (line.contains(needle)) {
                out.add(line);
            }
        }
        return out;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void discoverFindsTheTestModules() {
        List<InstrumentationModule> modules = Installer.discover(agentLoader);
        List<String> names = new ArrayList<>();
        for (InstrumentationModule m : modules) {
            names.add(m.name());
            assertEquals(m.name(), m.toString());
        }
        assertEquals(List.of("executors", "servlet", "jdk-httpserver", "okhttp"), names);
        assertEquals(2, modules.get(0).typeInstrumentations().size());
        assertEquals(List.of(GREETER), modules.get(0).typeInstrumentations().get(0).typeNames());
    }

    @Test
    void watchesTheNamesOfEveryEnabledModule() {
        assertNotNull(install());
        assertEquals(Set.of(GREETER, ECHO, UNMATCHED, COUNTER, NEVER_LOADED, ORPHAN, FAULTY), installer.typeNames());
    }

    @Test
    void classLoadedAfterInstallIsChanged() throws Exception {
        install();
        FixtureLoader loader = new FixtureLoader("after-install");
        Function<String, String> greeter = function(loader, GREETER);
        assertEquals("Hello, x [null]", greeter.apply("x"));
        try (Scope bound = Context.bind(CONTEXT)) {
            assertNotNull(bound);
            assertEquals("Hello, x [" + R + "]", greeter.apply("x"));
        }
        assertEquals(11, counter(loader).applyAsInt(1));
        assertEquals(41, counter(loader).applyAsInt(4));
    }

    @Test
    void clientAdviceForwardsTheContextOrTheOwnHeader() throws Exception {
        install();
        Function<String, String> echo = function(new FixtureLoader("echo"), ECHO);
        String none = echo.apply(null);
        assertTrue(Pattern.matches("Root=" + NEW_ID, none), none);
        try (Scope bound = Context.bind(CONTEXT)) {
            assertNotNull(bound);
            String a = echo.apply(null);
            String b = echo.apply(null);
            assertTrue(Pattern.matches("Self=" + NEW_ID + ";" + Pattern.quote(CONTEXT), a), a);
            assertTrue(Pattern.matches("Self=" + NEW_ID + ";" + Pattern.quote(CONTEXT), b), b);
            assertFalse(a.equals(b), "each request gets its own Self");
            String own = echo.apply("K=v");
            assertTrue(Pattern.matches("Root=" + NEW_ID + ";K=v", own), own);
        }
    }

    @Test
    void classLoadedBeforeInstallIsRetransformed() throws Exception {
        FixtureLoader loader = new FixtureLoader("before-install");
        Function<String, String> greeter = function(loader, GREETER);
        IntUnaryOperator counter = counter(loader);
        Function<String, String> echo = function(loader, ECHO);
        assertEquals("Hello, x", greeter.apply("x"));
        assertEquals(5, counter.applyAsInt(4));
        assertNull(echo.apply(null));

        install();

        assertEquals("Hello, x [null]", greeter.apply("x"), "the already loaded class was not retransformed");
        assertEquals(41, counter.applyAsInt(4));
        assertTrue(Pattern.matches("Root=" + NEW_ID, echo.apply(null)));
        assertSame(greeter.getClass(), loader.loadClass(GREETER));
    }

    /**
     * A JVM that writes a CDS archive or an AOT cache: a class loaded before the installer stays exactly as it is (the
     * JVM cannot archive a retransformed class, and crashes on one it needs itself), one loaded later is woven as
     * always, and no warm-up thread starts.
     */
    @Test
    void writingAnArchiveLeavesTheClassesLoadedBeforeAlone() throws Exception {
        Config.install(config("albtrace.debug", "true"));
        FixtureLoader before = new FixtureLoader("archive-before");
        Function<String, String> greeter = function(before, GREETER);
        IntUnaryOperator counter = counter(before);
        String err = capture(() -> installer = Installer.install(instrumentation, agentLoader,
                Installer.discover(agentLoader), true));
        assertNull(installer.warmUpThread, "no warm-up thread while the JVM writes an archive");
        assertEquals("Hello, x", greeter.apply("x"), "a class loaded before was changed");
        assertEquals(5, counter.applyAsInt(4), "a class loaded before was changed");
        assertEquals(1, linesWith(err, "this JVM writes a class-data sharing archive or an AOT cache").size(), err);
        assertTrue(err.contains(COUNTER) && err.contains(GREETER), err);

        FixtureLoader after = new FixtureLoader("archive-after");
        assertEquals("Hello, x [null]", function(after, GREETER).apply("x"), "a class loaded later is woven");
        assertEquals(41, counter(after).applyAsInt(4));
    }

    /**
     * The classes loaded before are retransformed in one call; when the JVM refuses one of them (here another agent adds
     * a field to it, which retransformation cannot do), the others are still changed and the one refused is said.
     */
    @Test
    void aClassTheJvmRefusesToChangeLeavesTheOthersChanged() throws Exception {
        FixtureLoader loader = new FixtureLoader("refused");
        Function<String, String> greeter = function(loader, GREETER);
        IntUnaryOperator counter = counter(loader);
        ClassFileTransformer addsAField = new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader from, String name, Class<?> redefined, java.security.ProtectionDomain pd,
                    byte[] bytes) {
                return from == loader && redefined != null && name.equals(internal(GREETER)) ? withAField(bytes) : null;
            }
        };
        instrumentation.addTransformer(addsAField, true);
        try {
            String err = capture(this::install);
            assertEquals(1, linesWith(err, "could not change the already loaded " + GREETER).size(), err);
            assertEquals(List.of(), linesWith(err, COUNTER), err);
        } finally {
            instrumentation.removeTransformer(addsAField);
        }
        assertEquals(41, counter.applyAsInt(4), "the other class loaded before was changed");
        assertEquals("Hello, x", greeter.apply("x"), "the class the JVM refused is as it was");
    }

    /**
     * A class loaded before whose retransform meets a {@link ClassCircularityError} (another agent's transformer was
     * loading classes at that moment: Datadog's, at start-up) is retransformed once more when that retransform is over,
     * and nothing is said; only a second failure is said, once, and the class is left as it is.
     */
    @Test
    void aClassCircularityErrorIsRetriedOnceQuietly() throws Exception {
        FixtureLoader loader = new FixtureLoader("circular-once");
        Function<String, String> greeter = function(loader, GREETER);
        // every Greeter loaded (this test's, and those of earlier tests not yet collected) fails its first weave: the
        // installer retransforms them all in one call (in premain, or on its warm-up thread), each once
        int loaded = 0;
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            loaded += type.getName().equals(GREETER) ? 1 : 0;
        }
        CircularOnceModule module = new CircularOnceModule(loaded);
        String err = capture(() -> {
            installer = Installer.install(instrumentation, agentLoader, List.of(module));
            installer.awaitWarmUp(30_000);
        });
        assertEquals("", err);
        assertTrue(module.failures.get() <= 0, "each loaded Greeter met the error once");
        assertEquals("Hello, x [null]", greeter.apply("x"), "retried after the ClassCircularityError");
        installer.uninstall();

        FixtureLoader twice = new FixtureLoader("circular-twice");
        Function<String, String> greeter2 = function(twice, GREETER);
        CircularOnceModule twiceModule = new CircularOnceModule(Integer.MAX_VALUE);
        err = capture(() -> {
            installer = Installer.install(instrumentation, agentLoader, List.of(twiceModule));
            installer.awaitWarmUp(30_000);
        });
        assertEquals(1, linesWith(err, "could not instrument " + GREETER).size(), err);
        assertTrue(err.contains("ClassCircularityError"), err);
        assertEquals("Hello, x", greeter2.apply("x"), "left as it is after a second failure");
    }

    /** {@code bytes} with one more static field: a change the JVM refuses when it retransforms a class. */
    static byte[] withAField(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visitEnd() {
                super.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, "addedByAnotherAgent", "I", null, null)
                        .visitEnd();
                super.visitEnd();
            }
        }, 0);
        return writer.toByteArray();
    }

    @Test
    void uninstallStopsChangingNewClasses() throws Exception {
        install();
        Function<String, String> during = function(new FixtureLoader("during"), GREETER);
        assertEquals("Hello, x [null]", during.apply("x"));
        installer.uninstall();
        installer = null;
        Function<String, String> after = function(new FixtureLoader("after-uninstall"), GREETER);
        assertEquals("Hello, x", after.apply("x"));
        assertEquals("Hello, x [null]", during.apply("x"), "classes already changed stay changed");
    }

    @Test
    void disabledModuleInstallsNothingForIt() throws Exception {
        FixtureLoader before = new FixtureLoader("disabled-before");
        Function<String, String> loadedBefore = function(before, GREETER);
        Config.install(config("albtrace.instrumentation.executors.enabled", "false"));
        assertNotNull(install());
        assertEquals(Set.of(COUNTER, NEVER_LOADED, ORPHAN, FAULTY, UNMATCHED), installer.typeNames());

        FixtureLoader after = new FixtureLoader("disabled-after");
        assertEquals("Hello, x", function(after, GREETER).apply("x"));
        assertNull(function(after, ECHO).apply(null));
        assertEquals("Hello, x", loadedBefore.apply("x"));
        // the other modules are still installed
        assertEquals(41, counter(after).applyAsInt(4));
        assertEquals(41, counter(before).applyAsInt(4));
    }

    @Test
    void disablingEveryModuleInstallsNothing() throws Exception {
        Config.install(config("albtrace.instrumentation.executors.enabled", "false",
                "albtrace.instrumentation.servlet.enabled", "false",
                "albtrace.instrumentation.jdk-httpserver.enabled", "false",
                "albtrace.instrumentation.okhttp.enabled", "false"));
        assertNull(install());
        FixtureLoader loader = new FixtureLoader("all-disabled");
        assertEquals("Hello, x", function(loader, GREETER).apply("x"));
        assertEquals(5, counter(loader).applyAsInt(4));
        assertEquals("worked x", function(loader, FAULTY).apply("x"));
    }

    @Test
    void disabledThroughTheEnvironmentVariable() throws Exception {
        Config c = Config.load(new Properties(), Map.of("ALBTRACE_INSTRUMENTATION_SERVLET_ENABLED", "false"));
        assertEquals(List.of(), c.problems());
        Config.install(c);
        install();
        assertEquals(Set.of(GREETER, ECHO, UNMATCHED, FAULTY), installer.typeNames());
        assertEquals(5, counter(new FixtureLoader("env-disabled")).applyAsInt(4));
    }

    @Test
    void aWarmUpThreadWeavesATargetFromTheClassPathQuietly() throws Exception {
        String err = capture(() -> {
            install();
            Thread warmUp = installer.warmUpThread;
            assertNotNull(warmUp, "the fixtures are readable through the system class loader: a warm-up starts");
            assertTrue(warmUp.isDaemon());
            assertEquals("albtrace-warm-up", warmUp.getName());
            warmUp.join(60_000);
            assertFalse(warmUp.isAlive());
        });
        assertEquals("", err);
    }

    /** The warm-up's weave is thrown away: it must not use up a warning that is said once. */
    @Test
    void aQuietWeaveSaysNothing() throws Exception {
        List<Installer.Target> targets = List.of(new Installer.Target(new TestInstrumentations.UnmatchedModule(),
                new TestInstrumentations.UnmatchedInstrumentation()));
        String err = capture(() -> assertNull(ByteBuddyWeaver.weave(UNMATCHED, FixtureLoader.bytesOf(UNMATCHED),
                new FixtureLoader("quiet"), agentLoader, targets, true)));
        assertEquals("", err);
    }

    /** The only test that loads Unmatched, so the once-only warning is said here. */
    @Test
    void targetWithoutMatchingMethodsIsLeftUnchangedAndWarnedOnce() throws Exception {
        install();
        byte[] original = FixtureLoader.bytesOf(UNMATCHED);
        List<String> results = new ArrayList<>();
        String err = capture(() -> {
            for (int i = 0; i < 3; i++) {
                results.add(function(new FixtureLoader("unmatched-" + i), UNMATCHED).apply("x"));
            }
            assertNull(installer.transform(null, new FixtureLoader("unmatched-direct"), internal(UNMATCHED), null,
                    null, original));
        });
        assertEquals(List.of("unchanged x", "unchanged x", "unchanged x"), results);
        List<String> warnings = linesWith(err, UNMATCHED);
        assertEquals(1, warnings.size(), err);
        assertTrue(warnings.get(0).startsWith("[albtrace] okhttp: "), warnings.get(0));
        assertTrue(warnings.get(0).contains("left unchanged"), warnings.get(0));
    }

    /** The only test that runs Faulty's methods, so the once-only report for jdk-httpserver is said here. */
    @Test
    void throwingAdviceLetsTheMethodRunAndIsReportedOnce() throws Exception {
        install();
        AdviceProbe.FAULTY_ENTERED.set(0);
        AdviceProbe.FAULTY_EXITED.set(0);
        List<String> results = new ArrayList<>();
        String err = capture(() -> {
            Function<String, String> faulty = function(new FixtureLoader("faulty"), FAULTY);
            results.add(faulty.apply("x"));
            results.add(faulty.apply("y"));
            results.add(function(new FixtureLoader("faulty-2"), FAULTY).apply("z"));
            // without a failure the same advice does change the call: it is really woven in
            results.add(faulty.apply(null));
        });
        assertEquals(List.of("worked x", "worked y", "worked z", "worked changed"), results);
        assertEquals(4, AdviceProbe.FAULTY_ENTERED.get(), "the entry advice ran");
        assertEquals(4, AdviceProbe.FAULTY_EXITED.get(), "the exit advice ran");
        List<String> reports = linesWith(err, "jdk-httpserver");
        assertEquals(1, reports.size(), err);
        assertTrue(reports.get(0).startsWith("[albtrace] jdk-httpserver instrumentation failed"), reports.get(0));
        assertTrue(reports.get(0).contains("IllegalStateException: deliberate failure on entry"), reports.get(0));
        assertEquals(1, err.split("\\R").length, "nothing else is printed: " + err);
    }

    /** The only test that loads Orphan. */
    @Test
    void missingAdviceClassLeavesTheClassUnchangedAndIsWarnedOnce() throws Exception {
        install();
        List<String> results = new ArrayList<>();
        String err = capture(() -> {
            results.add(function(new FixtureLoader("orphan-1"), ORPHAN).apply("x"));
            results.add(function(new FixtureLoader("orphan-2"), ORPHAN).apply("y"));
        });
        assertEquals(List.of("ran x", "ran y"), results);
        List<String> warnings = linesWith(err, ORPHAN);
        assertEquals(1, warnings.size(), err);
        assertTrue(warnings.get(0).startsWith("[albtrace] could not instrument " + ORPHAN), warnings.get(0));
    }

    @Test
    void classesOfTheLoaderThatHoldsTheModulesAreChangedToo() throws Exception {
        // in module tests the instrumentation and the library it changes share one class path
        install();
        byte[] greeter = FixtureLoader.bytesOf(GREETER);
        byte[] changed = installer.transform(null, agentLoader, internal(GREETER), null, null, greeter.clone());
        assertNotNull(changed);
        assertFalse(java.util.Arrays.equals(greeter, changed));
    }

    @Test
    void transformerDirectly() throws Exception {
        install();
        byte[] greeter = FixtureLoader.bytesOf(GREETER);
        byte[] copy = greeter.clone();
        ClassLoader other = new FixtureLoader("direct");
        byte[] changed = installer.transform(null, other, internal(GREETER), null, null, greeter);
        assertNotNull(changed);
        assertFalse(java.util.Arrays.equals(greeter, changed));
        assertArrayEquals(copy, greeter, "the input buffer is not modified");
        // classes of the bootstrap loader are instrumented too
        assertNotNull(installer.transform(null, null, internal(GREETER), null, null, greeter));
        // the legacy entry point does the same
        assertNotNull(installer.transform(other, internal(GREETER), null, null, greeter));
        // names that are not watched, and no name at all
        assertNull(installer.transform(null, other, "java/lang/Object", null, null, greeter));
        assertNull(installer.transform(null, other, internal(GREETER) + "2", null, null, greeter));
        assertNull(installer.transform(null, other, GREETER, null, null, greeter), "binary names are not internal names");
        assertNull(installer.transform(null, other, null, null, null, greeter));
    }

    /** The only test that hands bytes for NeverLoaded to the transformer. */
    @Test
    void brokenClassFileIsLeftAloneAndWarnedOnce() throws Exception {
        install();
        byte[] garbage = "not a class file".getBytes(StandardCharsets.US_ASCII);
        String err = capture(() -> {
            assertNull(installer.transform(null, new FixtureLoader("garbage"), internal(NEVER_LOADED), null, null,
                    garbage));
            assertNull(installer.transform(null, new FixtureLoader("garbage"), internal(NEVER_LOADED), null, null,
                    new byte[0]));
        });
        List<String> warnings = linesWith(err, NEVER_LOADED);
        assertEquals(1, warnings.size(), err);
        assertTrue(warnings.get(0).startsWith("[albtrace] could not instrument " + NEVER_LOADED), warnings.get(0));
    }

    @Test
    void debugSaysWhatIsInstrumented() throws Exception {
        Config.install(config("albtrace.debug", "true"));
        String err = capture(() -> {
            install();
            function(new FixtureLoader("debug"), GREETER).apply("x");
        });
        assertTrue(err.contains("[albtrace] debug: installed executors, servlet, jdk-httpserver, okhttp watching 7 class names"),
                err);
        assertTrue(err.contains("[albtrace] debug: checked executors against class loader debug ("), err);
        assertTrue(err.contains("[albtrace] debug: instrumented " + GREETER + " (executors)"), err);
        Config.install(config("albtrace.debug", "true", "albtrace.instrumentation.executors.enabled", "false"));
        installer.uninstall();
        err = capture(() -> {
            install();
        });
        assertTrue(err.contains("[albtrace] debug: instrumentation executors is off"), err);
    }

    /** A class loader that lists exactly these instrumentation modules for ServiceLoader. */
    ClassLoader servicesLoader(String... modules) throws IOException {
        Path services = Files.createTempFile(dir, "services", ".txt");
        Files.write(services, List.of(modules));
        URL url = services.toUri().toURL();
        return new ClassLoader(agentLoader) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                if (name.equals("META-INF/services/" + InstrumentationModule.class.getName())) {
                    return Collections.enumeration(List.of(url));
                }
                return super.getResources(name);
            }
        };
    }

    @Test
    void discoverSkipsModulesThatCannotBeLoaded() throws Exception {
        ClassLoader loader = servicesLoader(
                "io.albtrace.instrumentation.api.NoSuchModule",
                "io.albtrace.weaver.BrokenModule",
                "io.albtrace.weaver.TestInstrumentations$ServletModule",
                "io.albtrace.weaver.AdviceProbe",
                "io.albtrace.weaver.TestInstrumentations$HttpServerModule");
        List<String> names = new ArrayList<>();
        String err = capture(() -> {
            for (InstrumentationModule m : Installer.discover(loader)) {
                names.add(m.name());
            }
        });
        assertEquals(List.of("servlet", "jdk-httpserver"), names);
        assertEquals(3, linesWith(err, "[albtrace] an instrumentation module could not be loaded").size(), err);
        assertTrue(err.contains("NoSuchModule") && err.contains("deliberately broken module")
                && err.contains("AdviceProbe not a subtype"), err);
    }

    @Test
    void aModuleThatFailsToSetUpIsSkippedAndTheOthersInstalled() throws Exception {
        ClassLoader loader = servicesLoader(
                "io.albtrace.weaver.ThrowingSetupModule",
                "io.albtrace.weaver.TestInstrumentations$ServletModule");
        String err = capture(() -> {
            installer = Installer.install(instrumentation, loader);
        });
        assertNotNull(installer);
        assertEquals(Set.of(COUNTER, NEVER_LOADED, ORPHAN), installer.typeNames());
        List<String> warnings = linesWith(err, "okhttp");
        assertEquals(1, warnings.size(), err);
        assertTrue(warnings.get(0).startsWith("[albtrace] instrumentation okhttp could not be set up"), err);
        assertTrue(warnings.get(0).contains("deliberately broken set-up"), err);
        assertEquals(41, counter(new FixtureLoader("after-broken-module")).applyAsInt(4));
        assertEquals("Hello, x", function(new FixtureLoader("after-broken-module-2"), GREETER).apply("x"));
    }

    /**
     * A module that names its classes itself ({@link InstrumentationModule#typeNames()}) is asked for its type
     * instrumentations only when one of its classes is loaded, once: creating them makes the JVM link classes that
     * refer to Byte Buddy, which a JVM that never loads such a class (a JDK tool) must not pay for. When its names
     * and its type instrumentations' disagree, that is said once.
     */
    @Test
    void typeInstrumentationsAreCreatedOnlyWhenAClassTheyChangeIsLoaded() throws Exception {
        ClassLoader loader = servicesLoader(LazyModule.class.getName());
        LazyModule.CREATED.set(0);
        byte[] bytes = FixtureLoader.bytesOf(GREETER);
        String err = capture(() -> {
            installer = Installer.install(instrumentation, loader);
            assertNotNull(installer);
            assertEquals(Set.of(LazyModule.LAZY, LazyModule.UNLISTED), installer.typeNames());
            assertEquals(0, LazyModule.CREATED.get(), "nothing is created at start-up");
            assertNull(installer.transform(null, new FixtureLoader("lazy-1"), internal(LazyModule.LAZY), null, null,
                    bytes));
            assertEquals(1, LazyModule.CREATED.get(), "created when a class it changes is loaded");
            assertNull(installer.transform(null, new FixtureLoader("lazy-2"), internal(LazyModule.LAZY), null, null,
                    bytes));
            assertNull(installer.transform(null, new FixtureLoader("lazy-3"), internal(LazyModule.UNLISTED), null,
                    null, bytes));
            assertEquals(1, LazyModule.CREATED.get(), "and only once");
        });
        List<String> said = linesWith(err, "[albtrace]");
        assertEquals(1, said.size(), err);
        assertTrue(said.get(0).startsWith("[albtrace] instrumentation http-url-connection: its type names [" + LazyModule.LAZY
                + ", " + LazyModule.UNLISTED + "] are not those of its type instrumentations [" + LazyModule.LAZY + "]"), err);
    }

    /**
     * Creating a module's type instrumentations may itself load one of the module's target classes on the same
     * thread (the installer's lock is re-entrant): that load goes ahead unchanged, and they are created once.
     */
    @Test
    void aTargetLoadedWhileTheTypeInstrumentationsAreCreatedIsLeftAlone() throws Exception {
        ClassLoader loader = servicesLoader(LazyModule.class.getName());
        LazyModule.CREATED.set(0);
        byte[] bytes = FixtureLoader.bytesOf(GREETER);
        List<Object> inner = new java.util.ArrayList<>();
        capture(() -> {
            installer = Installer.install(instrumentation, loader);
            assertNotNull(installer);
            LazyModule.duringCreation = () -> inner.add(String.valueOf(installer.transform(null,
                    new FixtureLoader("reentrant-inner"), internal(LazyModule.LAZY), null, null, bytes)));
            assertNull(installer.transform(null, new FixtureLoader("reentrant-outer"), internal(LazyModule.LAZY),
                    null, null, bytes));
            assertEquals(List.of("null"), inner, "the inner load went ahead, unchanged");
            assertEquals(1, LazyModule.CREATED.get(), "created once, not again from the inner load");
            assertNull(installer.transform(null, new FixtureLoader("reentrant-after"), internal(LazyModule.LAZY),
                    null, null, bytes));
            assertEquals(1, LazyModule.CREATED.get(), "and kept");
        });
    }

    @Test
    void nothingToInstallWhenNoModuleIsListed() throws Exception {
        assertNull(Installer.install(instrumentation, servicesLoader("# none")));
        assertEquals(List.of(), Installer.discover(servicesLoader()));
    }

    @Test
    void twoModulesChangingOneClassBothApply() throws Exception {
        ClassLoader loader = servicesLoader(
                "io.albtrace.weaver.TestInstrumentations$ExecutorsModule",
                "io.albtrace.weaver.SecondGreeterModule");
        installer = Installer.install(instrumentation, loader);
        assertEquals("Hello, x [null] [null]", function(new FixtureLoader("two-modules"), GREETER).apply("x"));
        installer.uninstall();
        Config.install(config("albtrace.instrumentation.jdk-httpclient.enabled", "false"));
        installer = Installer.install(instrumentation, loader);
        assertEquals("Hello, x [null]", function(new FixtureLoader("one-of-two"), GREETER).apply("x"));
    }
}

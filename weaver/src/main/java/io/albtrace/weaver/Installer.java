package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import io.albtrace.core.Config;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.Log;
import io.albtrace.core.Outgoing;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Installs every enabled {@link InstrumentationModule} found on a class loader. Start-up work is a map from
 * class names to modules ({@link InstrumentationModule#typeNames()}) and one transformer; each class load costs
 * one hash lookup. The modules' type instrumentations, and with them the weaver ({@link AsmWeaver}; Byte Buddy's
 * {@link ByteBuddyWeaver} only for what that cannot do), are loaded only when a class on that map appears, or by the
 * warm-up.
 */
public final class Installer implements ClassFileTransformer {

    private final Instrumentation instrumentation;
    private final ClassLoader agentLoader;
    /** Internal class name ({@code a/b/C}) to the modules that change that class. */
    private final Map<String, List<InstrumentationModule>> targets;
    /** Each module's type instrumentations, created the first time one of its classes is loaded (or warmed up). */
    private final Map<InstrumentationModule, List<TypeInstrumentation>> created = new HashMap<>();
    /** Internal class name to its instrumentations, once they were needed. */
    private final Map<String, List<Target>> resolved = new ConcurrentHashMap<>();
    private final Module coreModule = Outgoing.class.getModule();
    /**
     * This JVM writes a class-data sharing archive or an AOT cache: no class loaded before the installer is changed
     * and no warm-up thread is started (see {@link #install(Instrumentation, ClassLoader, List, boolean)}).
     */
    private final boolean dumpingArchive;
    /** The warm-up thread, or null when there was no target on the class path to warm up with. */
    volatile Thread warmUpThread;
    /**
     * Target classes loaded before the installer, of modules that warm up with the JDK's targets (the executors'
     * {@code java.lang.Thread}): retransformed by the warm-up thread, after its weave, not in premain.
     */
    private final List<Class<?>> deferred = new ArrayList<>();
    /**
     * Already loaded classes whose retransform failed with a {@link ClassCircularityError}: another agent's
     * transformer (Datadog's, say) was loading classes on the same thread at the same moment. Tried once more when
     * the retransform that hit it is over ({@link #retransform(List)}); only a second failure is said.
     */
    private final List<Class<?>> circular = new ArrayList<>();
    /** The classes tried a second time, whose failure is said as any other. Guarded by {@link #circular}. */
    private final Set<Class<?>> retried = new HashSet<>();
    /** Whether each module's advice links against a class loader's version of its library ({@link VersionCheck}). */
    private final VersionCheck versions;

    private Installer(Instrumentation instrumentation, ClassLoader agentLoader,
            Map<String, List<InstrumentationModule>> targets, boolean dumpingArchive) {
        this.instrumentation = instrumentation;
        this.agentLoader = agentLoader;
        this.targets = targets;
        this.dumpingArchive = dumpingArchive;
        this.versions = new VersionCheck(new ClassFiles(agentLoader));
    }

    /**
     * Finds the instrumentation modules on {@code loader} (the agent's own class loader, or the test class
     * path), installs the enabled ones and changes the matching classes that are already loaded.
     *
     * @return the transformer, or null when nothing is enabled
     */
    public static Installer install(Instrumentation instrumentation, ClassLoader loader) {
        return install(instrumentation, loader, discover(loader));
    }

    /**
     * Installs the enabled ones of {@code modules}, whose advice classes {@code loader} reads (the agent's own
     * modules, which it creates without {@code ServiceLoader}), and changes the matching classes already loaded.
     *
     * @return the transformer, or null when nothing is enabled
     */
    public static Installer install(Instrumentation instrumentation, ClassLoader loader,
            List<InstrumentationModule> modules) {
        return install(instrumentation, loader, modules, false);
    }

    /**
     * As {@link #install(Instrumentation, ClassLoader, List)}; {@code dumpingArchive}: this JVM writes a class-data
     * sharing archive or an AOT cache (a CDS dump, {@code -XX:ArchiveClassesAtExit}, an AOT training run or the
     * cache's creation). Then the classes loaded before the installer ({@code java.lang.Thread}, with the executors
     * on) are left exactly as they are and no warm-up thread starts. The JVM cannot archive a class that was
     * redefined or retransformed, nor its subclasses; for a class the VM itself needs in the archive, as Thread,
     * HotSpot 25 crashes while writing it (SIGSEGV in {@code SystemDictionaryShared::serialize_vm_classes}). A run
     * that uses the archive loads those classes before the agent too, and changes them there as always. Classes
     * loaded later are still woven as they load: the JVM leaves them out of the archive ("From ClassFileLoadHook"), and
     * the run that uses it loads them from their class files and weaves them, as without an archive.
     *
     * @return the transformer, or null when nothing is enabled
     */
    public static Installer install(Instrumentation instrumentation, ClassLoader loader,
            List<InstrumentationModule> modules, boolean dumpingArchive) {
        Config config = Config.current();
        Map<String, List<InstrumentationModule>> targets = new HashMap<>();
        List<String> installed = new ArrayList<>();
        for (InstrumentationModule module : modules) {
            if (!config.instrumentationEnabled(module.name())) {
                Log.debug("instrumentation " + module.name() + " is off (" + Config.instrumentationKey(module.name())
                        + "=false)");
                continue;
            }
            // a module that fails here (a bug, a class it needs is missing) is skipped, not the whole agent
            List<String> names = new ArrayList<>();
            try {
                for (String name : module.typeNames()) {
                    names.add(name.replace('.', '/'));
                }
            } catch (RuntimeException | LinkageError e) {
                Log.warn("instrumentation " + module.name() + " could not be set up and is skipped: " + e);
                continue;
            }
            installed.add(module.name());
            for (String name : names) {
                List<InstrumentationModule> list = targets.get(name);
                if (list == null) {
                    list = new ArrayList<>(1);
                    targets.put(name, list);
                }
                if (!list.contains(module)) {
                    list.add(module);
                }
            }
        }
        if (targets.isEmpty()) {
            Log.debug("no instrumentation enabled; nothing installed");
            return null;
        }
        Installer installer = new Installer(instrumentation, loader, targets, dumpingArchive);
        LibraryHelpers.classFiles(new ClassFiles(loader));
        instrumentation.addTransformer(installer, true);
        installer.retransformLoaded();
        installer.warmUp();
        if (installer.warmUpThread == null) {
            installer.retransformDeferred();
        }
        Log.debug("installed " + String.join(", ", installed) + " watching " + targets.size() + " class names");
        return installer;
    }

    /** The modules listed for ServiceLoader on {@code loader}; one that fails to load is reported and skipped. */
    public static List<InstrumentationModule> discover(ClassLoader loader) {
        List<InstrumentationModule> modules = new ArrayList<>();
        Iterator<InstrumentationModule> it = ServiceLoader.load(InstrumentationModule.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                modules.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                Log.warn("an instrumentation module could not be loaded and is skipped: " + e
                        + (e.getCause() != null ? " (caused by " + e.getCause() + ")" : ""));
            }
        }
        return modules;
    }

    /** Removes the transformer; classes already changed stay changed. */
    public void uninstall() {
        instrumentation.removeTransformer(this);
    }

    /** The class names this installer changes, as binary names. */
    public Set<String> typeNames() {
        Set<String> names = new TreeSet<>();
        for (String internal : targets.keySet()) {
            names.add(internal.replace('/', '.'));
        }
        return Collections.unmodifiableSet(names);
    }

    private void retransformLoaded() {
        if (!instrumentation.isRetransformClassesSupported()) {
            return;
        }
        // by binary name: no string made per loaded class (there are a thousand or more at start-up)
        Set<String> binaryNames = new HashSet<>();
        for (String internal : targets.keySet()) {
            binaryNames.add(internal.replace('/', '.'));
        }
        Set<String> leftAlone = new TreeSet<>();
        List<Class<?>> now = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            String name = type.getName();
            if (binaryNames.contains(name) && instrumentation.isModifiableClass(type)) {
                if (dumpingArchive) {
                    leftAlone.add(name);
                    continue;
                }
                if (allWarmUpWithJdkTargets(targets.get(name.replace('.', '/')))
                        && InstrumentationModule.hasApplicationPath()) {
                    // java.lang.Thread, loaded in every JVM: weaving it here would load the weaver in premain
                    deferred.add(type);
                    continue;
                }
                now.add(type);
            }
        }
        retransform(now);
        if (!leftAlone.isEmpty()) {
            Log.debug("this JVM writes a class-data sharing archive or an AOT cache: " + String.join(", ", leftAlone)
                    + ", loaded before the agent, " + (leftAlone.size() == 1 ? "is" : "are") + " left as "
                    + (leftAlone.size() == 1 ? "it is" : "they are") + " in this run (a run that uses the archive"
                    + " changes " + (leftAlone.size() == 1 ? "it" : "them") + ")");
        }
    }

    /**
     * Loads and initialises the weaver on a daemon thread. Its first use runs its classes cold; done here, it
     * overlaps the application's own start-up instead of delaying the application's first request. That first use
     * is changing the JDK classes deferred by {@link #retransformLoaded()} ({@code java.lang.Thread}, with the
     * executors on); without any, the thread weaves, and discards, a target class file that the system class loader
     * can read ({@link #warmUpTarget()}; nothing is defined). The transformer is already installed: a target that
     * appears first is woven on its own thread, as always, and only waits for classes the warm-up is initialising.
     * No class path and no module path (a JDK tool started with the agent in JAVA_TOOL_OPTIONS): no thread. Nor in a
     * JVM that writes an archive.
     */
    private void warmUp() {
        if (dumpingArchive || !InstrumentationModule.hasApplicationPath()) {
            // writing an archive: the application's own start weaves what it loads, and no thread may be changing a
            // class while the JVM writes (a CDS dump and an AOT cache's creation run no main at all)
            return;
        }
        // which target to weave is found on the thread: a resource lookup per class name through the class path
        // (every jar of it) cost premain, and so the application's start, milliseconds
        Thread thread = new Thread(new WarmUp(this), "albtrace-warm-up");
        thread.setDaemon(true);
        thread.start();
        warmUpThread = thread;
    }

    /**
     * A class the warm-up can weave: a target the system class loader can read, of a library on the class path, or
     * null. The JDK's own targets (its HTTP client and server) do not count: they are in every JVM, and are woven
     * when the application first uses them; except those of a module that says nearly every application uses them
     * early ({@link InstrumentationModule#warmUpWithJdkTargets()}: the executors).
     */
    private Map.Entry<String, List<InstrumentationModule>> warmUpTarget() {
        for (Map.Entry<String, List<InstrumentationModule>> e : targets.entrySet()) {
            java.net.URL url = ClassLoader.getSystemResource(e.getKey() + ".class");
            if (url != null && (!"jrt".equals(url.getProtocol()) || warmsUpWithJdkTargets(e.getValue()))) {
                return e;
            }
        }
        return null;
    }

    private static boolean warmsUpWithJdkTargets(List<InstrumentationModule> modules) {
        for (InstrumentationModule module : modules) {
            if (module.warmUpWithJdkTargets()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every module of {@code modules} warms up with the JDK's targets. */
    private static boolean allWarmUpWithJdkTargets(List<InstrumentationModule> modules) {
        if (modules == null || modules.isEmpty()) {
            return false;
        }
        for (InstrumentationModule module : modules) {
            if (!module.warmUpWithJdkTargets()) {
                return false;
            }
        }
        return true;
    }

    /** Retransforms the classes {@link #retransformLoaded()} left for the warm-up (once). */
    private void retransformDeferred() {
        List<Class<?>> types;
        synchronized (deferred) {
            types = new ArrayList<>(deferred);
            deferred.clear();
        }
        retransform(types);
    }

    /**
     * Retransforms {@code types} in one call: the JVM changes them all in one safepoint, where each call stops the
     * application's threads once (with an AOT cache, which loads many classes before the agent, that is several of
     * them). When the JVM refuses (it then changed none), one by one, so that only the class it refuses is left.
     */
    private void retransform(List<Class<?>> types) {
        if (types.size() > 1) {
            try {
                instrumentation.retransformClasses(types.toArray(new Class<?>[0]));
                return;
            } catch (Throwable e) {
                // below, one by one
            }
        }
        for (Class<?> type : types) {
            try {
                instrumentation.retransformClasses(type);
            } catch (Throwable e) {
                Log.warn("could not change the already loaded " + type.getName() + "; it is left as it is: " + e);
            }
        }
        retryCircular();
    }

    /** Retransforms, once more, the classes whose weave hit a {@link ClassCircularityError} ({@link #circular}). */
    private void retryCircular() {
        List<Class<?>> again;
        synchronized (circular) {
            if (circular.isEmpty()) {
                return;
            }
            again = new ArrayList<>(circular);
            circular.clear();
            retried.addAll(again);
        }
        Log.debug("retransforming " + again.size() + " class(es) whose weave met another agent's class loading");
        retransform(again);
    }

    /**
     * Whether the retransform of {@code type} that failed with {@code failure} is tried again later, quietly: a
     * {@link ClassCircularityError} (anywhere in its causes) on a class not tried a second time already.
     */
    private boolean retryLater(Class<?> type, Throwable failure) {
        if (type == null || !circularity(failure)) {
            return false;
        }
        synchronized (circular) {
            if (retried.contains(type)) {
                return false;
            }
            if (!circular.contains(type)) {
                circular.add(type);
            }
            return true;
        }
    }

    static boolean circularity(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClassCircularityError) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits up to {@code millis} for the warm-up thread, which also changes the JDK classes loaded before the
     * installer (for tests, which must not start before {@code java.lang.Thread} is changed).
     *
     * @throws IllegalStateException when the warm-up is not done in time, or the wait is interrupted (the thread's
     *                               interrupt status is kept)
     */
    public void awaitWarmUp(long millis) {
        Thread thread = warmUpThread;
        if (thread == null) {
            return;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the warm-up", e);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the warm-up did not end in " + millis + " ms");
        }
    }

    /**
     * The instrumentations of the class {@code internalName}, the first time creating the type instrumentations of
     * the modules that change it.
     */
    private List<Target> targetsOf(String internalName, List<InstrumentationModule> modules) {
        List<Target> found = resolved.get(internalName);
        if (found != null) {
            return found;
        }
        String binaryName = internalName.replace('/', '.');
        found = new ArrayList<>(1);
        for (InstrumentationModule module : modules) {
            for (TypeInstrumentation type : typeInstrumentations(module)) {
                if (type.typeNames().contains(binaryName)) {
                    found.add(new Target(module, type));
                }
            }
        }
        resolved.put(internalName, found);
        return found;
    }

    /**
     * A module's type instrumentations, created once. A module whose type instrumentations cannot be created (a
     * bug) changes nothing, and says so once; one whose {@link InstrumentationModule#typeNames()} do not match its
     * type instrumentations' names (a bug too) says so once.
     */
    private List<TypeInstrumentation> typeInstrumentations(InstrumentationModule module) {
        synchronized (created) {
            List<TypeInstrumentation> types = created.get(module);
            if (types == null) {
                // Until they exist, the module changes nothing: should creating them load one of its own target
                // classes on this thread (the lock is re-entrant), that load finds this and goes ahead unchanged
                // rather than creating them a second time.
                created.put(module, Collections.emptyList());
                try {
                    types = new ArrayList<>(module.typeInstrumentations());
                    String mismatch = module.typeNamesMismatch(types);
                    if (mismatch != null) {
                        Log.warnOnce("type-names:" + module.name(), "instrumentation " + module.name() + ": "
                                + mismatch + " (a bug); only classes on both lists are changed");
                    }
                } catch (RuntimeException | LinkageError e) {
                    Log.warnOnce("set-up:" + module.name(), "instrumentation " + module.name()
                            + " could not be set up and changes nothing: " + e);
                    types = Collections.emptyList();
                }
                created.put(module, types);
            }
            return types;
        }
    }


    /**
     * The warm-up's work: the deferred retransformations, which are the weaver's first use; when there are none, one
     * weave whose result is thrown away.
     */
    private static final class WarmUp implements Runnable {
        private final Installer installer;

        WarmUp(Installer installer) {
            this.installer = installer;
        }

        @Override
        public void run() {
            boolean deferred;
            synchronized (installer.deferred) {
                deferred = !installer.deferred.isEmpty();
            }
            if (deferred) {
                // changing java.lang.Thread (the executors) is the weaver's first use: a weave thrown away before it
                // would only cost the application CPU twice, and make Thread wait
                installer.retransformDeferred();
                return;
            }
            try {
                Map.Entry<String, List<InstrumentationModule>> target = installer.warmUpTarget();
                if (target != null) {
                    String internalName = target.getKey();
                    try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
                        if (in != null) {
                            byte[] bytes = in.readAllBytes();
                            ClassLoader system = ClassLoader.getSystemClassLoader();
                            List<Target> matched = installer.checked(installer.targetsOf(internalName,
                                    target.getValue()), system, internalName, bytes, true);
                            if (!matched.isEmpty()) {
                                weave(internalName.replace('/', '.'), bytes, system, installer.agentLoader, matched,
                                        true);
                            }
                        }
                    }
                }
            } catch (Throwable e) {
                // a failed warm-up costs nothing but the time: the real weave reports its own problems
            }
            installer.retransformDeferred();
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null) {
            return null;
        }
        List<InstrumentationModule> modules = targets.get(className);
        if (modules == null) {
            return null;
        }
        try {
            List<Target> matched = checked(targetsOf(className, modules), loader, className, classfileBuffer, false);
            if (matched.isEmpty()) {
                return null;
            }
            byte[] changed = weave(className.replace('/', '.'), classfileBuffer, loader, agentLoader, matched, false);
            if (changed != null && module != null && module.isNamed() && !module.canRead(coreModule)) {
                // advice inlined into a named module (the JDK's own classes) calls the core classes
                instrumentation.redefineModule(module, Collections.singleton(coreModule), Collections.emptyMap(),
                        Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
            }
            return changed;
        } catch (Throwable e) {
            if (retryLater(classBeingRedefined, e)) {
                return null; // left as it is for now, retransformed again when this retransform is over
            }
            Log.warnOnce("transform:" + className, "could not instrument " + className.replace('/', '.')
                    + "; it is left unchanged: " + e);
            return null;
        }
    }

    /**
     * {@code matched} without the instrumentations of modules whose advice does not link against {@code loader}'s
     * version of their library ({@link VersionCheck}, decided once per module and class loader, said once).
     */
    private List<Target> checked(List<Target> matched, ClassLoader loader, String internalName, byte[] bytes,
            boolean quiet) {
        List<Target> allowed = matched;
        for (int i = 0; i < matched.size(); i++) {
            InstrumentationModule module = matched.get(i).module;
            if (!firstOf(matched, i)) {
                continue; // the module's verdict was taken at its first target
            }
            if (!versions.allows(module.name(), typeInstrumentations(module), module.libraryClasses(), loader,
                    internalName, bytes, quiet)) {
                if (allowed == matched) {
                    allowed = new ArrayList<>(matched);
                }
                for (Iterator<Target> it = allowed.iterator(); it.hasNext();) {
                    if (it.next().module == module) {
                        it.remove(); // not removeIf with a lambda: see AsmWeaver (the first lambda costs milliseconds)
                    }
                }
            }
        }
        return allowed;
    }

    private static boolean firstOf(List<Target> targets, int index) {
        for (int i = 0; i < index; i++) {
            if (targets.get(i).module == targets.get(index).module) {
                return false;
            }
        }
        return true;
    }

    /** The warnings of the check before weaving said in this JVM ({@link VersionCheck}; the modules' tests require none). */
    public static List<String> versionProblems() {
        return VersionCheck.problems();
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    /**
     * Weaves with {@link AsmWeaver}, or with Byte Buddy ({@link ByteBuddyWeaver}) for what it cannot do and when
     * {@code albtrace.weaver=bytebuddy}. {@code quiet}: the warm-up's weave, which says nothing. Null when the class
     * is left as it is: also when woven it would be over a limit of the class file ({@link TooLarge}), which is said
     * once.
     */
    static byte[] weave(String binaryName, byte[] bytes, ClassLoader loader, ClassLoader agentLoader,
            List<Target> matched, boolean quiet) {
        try {
            return weaveOrFallBack(binaryName, bytes, loader, agentLoader, matched, quiet);
        } catch (TooLarge e) {
            if (!quiet) {
                Log.warnOnce("too-large:" + binaryName, moduleNames(matched) + ": " + e.getMessage() + "; "
                        + binaryName + " is left unchanged (not instrumented)");
            }
            return null;
        }
    }

    private static String moduleNames(List<Target> matched) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < matched.size(); i++) {
            if (firstOf(matched, i)) {
                names.append(names.length() == 0 ? "" : ", ").append(matched.get(i).module.name());
            }
        }
        return names.toString();
    }

    private static byte[] weaveOrFallBack(String binaryName, byte[] bytes, ClassLoader loader,
            ClassLoader agentLoader, List<Target> matched, boolean quiet) {
        if (!Config.WEAVER_BYTEBUDDY.equals(Config.current().weaver())) {
            try {
                return AsmWeaver.weave(binaryName, bytes, loader, agentLoader, matched, quiet);
            } catch (Unsupported e) {
                if (!quiet) {
                    FALLBACKS.put(binaryName, e.getMessage());
                    Log.debug("weaving " + binaryName + " with Byte Buddy: " + e.getMessage());
                }
            }
        }
        return ByteBuddyWeaver.weave(binaryName, bytes, loader, agentLoader, matched, quiet);
    }

    /**
     * The classes the ASM weaver left to Byte Buddy in this JVM, with the reason: what made them slower to weave
     * (diagnostics, and the modules' tests, which require it empty for every library version they test).
     * Empty with {@code albtrace.weaver=bytebuddy}, which does not try ASM.
     */
    public static Map<String, String> wovenByByteBuddy() {
        return Collections.unmodifiableMap(new java.util.TreeMap<>(FALLBACKS));
    }

    private static final Map<String, String> FALLBACKS = new ConcurrentHashMap<>();

    /**
     * The agent's class files, as the weaver reads its advice and {@link LibraryHelpers} the helpers it defines next
     * to a library's classes: from the agent's own class loader (in the modules' tests, the test class path; null:
     * the system class loader's resources).
     */
    static final class ClassFiles implements Function<String, byte[]> {
        private final ClassLoader loader;

        ClassFiles(ClassLoader loader) {
            this.loader = loader;
        }

        /** The class file of {@code binaryName} from {@code loader}, or null when it has none. */
        static byte[] read(ClassLoader loader, String binaryName) throws java.io.IOException {
            String resource = binaryName.replace('.', '/') + ".class";
            try (java.io.InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                    : loader.getResourceAsStream(resource)) {
                return in == null ? null : in.readAllBytes();
            }
        }

        @Override
        public byte[] apply(String binaryName) {
            try {
                return read(loader, binaryName);
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    /** One instrumentation of one class name. */
    static final class Target {
        final InstrumentationModule module;
        final TypeInstrumentation type;

        Target(InstrumentationModule module, TypeInstrumentation type) {
            this.module = module;
            this.type = type;
        }
    }
}

package io.albtrace.instrumentation.api;

import io.albtrace.core.Config;
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

/**
 * Installs every enabled {@link InstrumentationModule} found on a class loader. Start-up work is a map from
 * class names to instrumentations and one transformer; each class load costs one hash lookup, and Byte Buddy
 * is loaded only when a class on that map appears ({@link Weaver}).
 */
public final class Installer implements ClassFileTransformer {

    private final Instrumentation instrumentation;
    private final ClassLoader agentLoader;
    /** Internal class name ({@code a/b/C}) to the instrumentations of that class. */
    private final Map<String, List<Target>> targets;
    private final Module coreModule = Outgoing.class.getModule();
    /** The warm-up thread, or null when there was no target on the class path to warm up with. */
    volatile Thread warmUpThread;

    private Installer(Instrumentation instrumentation, ClassLoader agentLoader, Map<String, List<Target>> targets) {
        this.instrumentation = instrumentation;
        this.agentLoader = agentLoader;
        this.targets = targets;
    }

    /**
     * Finds the instrumentation modules on {@code loader} (the agent's own class loader, or the test class
     * path), installs the enabled ones and changes the matching classes that are already loaded.
     *
     * @return the transformer, or null when nothing is enabled
     */
    public static Installer install(Instrumentation instrumentation, ClassLoader loader) {
        Config config = Config.current();
        Map<String, List<Target>> targets = new HashMap<>();
        List<String> installed = new ArrayList<>();
        for (InstrumentationModule module : discover(loader)) {
            if (!config.instrumentationEnabled(module.name())) {
                Log.debug("instrumentation " + module.name() + " is off (" + Config.instrumentationKey(module.name())
                        + "=false)");
                continue;
            }
            // a module that fails here (a bug, a class it needs is missing) is skipped, not the whole agent
            List<String> names = new ArrayList<>();
            List<Target> moduleTargets = new ArrayList<>();
            try {
                for (TypeInstrumentation type : module.typeInstrumentations()) {
                    for (String name : type.typeNames()) {
                        names.add(name.replace('.', '/'));
                        moduleTargets.add(new Target(module, type));
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                Log.warn("instrumentation " + module.name() + " could not be set up and is skipped: " + e);
                continue;
            }
            installed.add(module.name());
            for (int i = 0; i < names.size(); i++) {
                List<Target> list = targets.get(names.get(i));
                if (list == null) {
                    list = new ArrayList<>(1);
                    targets.put(names.get(i), list);
                }
                list.add(moduleTargets.get(i));
            }
        }
        if (targets.isEmpty()) {
            Log.debug("no instrumentation enabled; nothing installed");
            return null;
        }
        Installer installer = new Installer(instrumentation, loader, targets);
        instrumentation.addTransformer(installer, true);
        installer.retransformLoaded();
        installer.warmUp();
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
        Set<String> names = new java.util.TreeSet<>();
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
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            String name = type.getName();
            if (binaryNames.contains(name) && instrumentation.isModifiableClass(type)) {
                try {
                    instrumentation.retransformClasses(type);
                } catch (Throwable e) {
                    Log.warn("could not change the already loaded " + name + "; it is left as it is: " + e);
                }
            }
        }
    }

    /**
     * Loads and initialises Byte Buddy on a daemon thread by weaving, and discarding, a target class file that
     * the system class loader can read (nothing is defined). Its first use costs a few hundred milliseconds;
     * done here, it overlaps the application's own start-up instead of delaying the application's first
     * request. The transformer is already installed: a target that appears first is woven on its own thread,
     * as always, and only waits for classes the warm-up is initialising. No target library on the class path
     * (a JDK tool started with the agent in JAVA_TOOL_OPTIONS): no thread. The JDK's own targets (its HTTP
     * client and server) do not count: they are in every JVM, and are woven when the application first uses them.
     */
    private void warmUp() {
        if (!hasApplicationPath()) {
            return;
        }
        for (Map.Entry<String, List<Target>> e : targets.entrySet()) {
            java.net.URL url = ClassLoader.getSystemResource(e.getKey() + ".class");
            // the JDK's own classes (jrt:) are always there: they would start the thread, and load Byte Buddy, in
            // every JVM, a JDK tool included; only a library on the class path says the application needs it
            if (url != null && !"jrt".equals(url.getProtocol())) {
                Thread thread = new Thread(new WarmUp(e.getKey(), e.getValue(), agentLoader), "albtrace-warm-up");
                thread.setDaemon(true);
                thread.start();
                warmUpThread = thread;
                return;
            }
        }
    }

    /**
     * Whether the JVM was given a class path or a module path, where a library could be. A JDK tool ({@code jcmd},
     * {@code keytool}) has neither: its classes all come from the JDK's own modules (the agent's jar, which the JVM
     * adds to the class path, leaves {@code java.class.path} as it was). Looking each target up anyway, through
     * every class loader, cost a tool 10 to 25 ms of start-up on the benchmark machine.
     */
    static boolean hasApplicationPath() {
        return !System.getProperty("java.class.path", "").isEmpty()
                || !System.getProperty("jdk.module.path", "").isEmpty();
    }

    /** The warm-up's work: one weave whose result is thrown away. */
    private static final class WarmUp implements Runnable {
        private final String internalName;
        private final List<Target> targets;
        private final ClassLoader agentLoader;

        WarmUp(String internalName, List<Target> targets, ClassLoader agentLoader) {
            this.internalName = internalName;
            this.targets = targets;
            this.agentLoader = agentLoader;
        }

        @Override
        public void run() {
            try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
                if (in != null) {
                    Weaver.weave(internalName.replace('/', '.'), in.readAllBytes(), ClassLoader.getSystemClassLoader(),
                            agentLoader, targets, true);
                }
            } catch (Throwable e) {
                // a failed warm-up costs nothing but the time: the real weave reports its own problems
            }
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null) {
            return null;
        }
        List<Target> matched = targets.get(className);
        if (matched == null) {
            return null;
        }
        try {
            byte[] changed = Weaver.weave(className.replace('/', '.'), classfileBuffer, loader, agentLoader, matched,
                    false);
            if (changed != null && module != null && module.isNamed() && !module.canRead(coreModule)) {
                // advice inlined into a named module (the JDK's own classes) calls the core classes
                instrumentation.redefineModule(module, Collections.singleton(coreModule), Collections.emptyMap(),
                        Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
            }
            return changed;
        } catch (Throwable e) {
            Log.warnOnce("transform:" + className, "could not instrument " + className.replace('/', '.')
                    + "; it is left unchanged: " + e);
            return null;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
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

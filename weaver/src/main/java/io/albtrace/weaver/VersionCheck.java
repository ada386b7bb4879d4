package io.albtrace.weaver;

import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;

import io.albtrace.core.Log;
import io.albtrace.weaver.References.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The check made before a module's first class is woven in a class loader: does that class loader's version of the
 * library have everything the module's advice needs? The type instrumentations of a module depend on each other (one
 * captures what another writes), so the answer is for the whole module in that class loader, decided once, before
 * any of its classes there is woven:
 * <ol>
 *   <li>every class the module changes that the class loader has (its class file, read as a resource) is shown to
 *       its type instrumentation, as the weaver shows it, to learn which advice goes on it;</li>
 *   <li>each such advice must match a method of that class (what the instrumentation declares it needs), and every
 *       reference its class file and its helpers' make to the library ({@link References}) must link there
 *       ({@link LibraryCheck}).</li>
 * </ol>
 * When something is missing, none of the module's classes in that class loader is changed, and one warning names the
 * library, its version when the jar says it, and what is missing. The answer is kept per class loader (weakly: a
 * class loader that goes is forgotten) and per module; each advice's references are read once per JVM.
 */
final class VersionCheck {

    /** A module's verdict in one class loader: null when it may be woven there, else the warning. */
    private static final class Verdict {
        final String problem;

        Verdict(String problem) {
            this.problem = problem;
        }
    }

    private static final Verdict PASSED = new Verdict(null);
    /** The verdicts for the bootstrap class loader (which a WeakHashMap cannot key). */
    private final Map<String, Verdict> boot = new HashMap<>();
    private final Map<ClassLoader, Map<String, Verdict>> loaders = new WeakHashMap<>();
    /** Each advice class's references, by binary name. */
    private final Map<String, List<Reference>> references = new ConcurrentHashMap<>();
    /** Which modules are being checked on which thread: a class their check loads goes ahead unchanged. */
    // no lambda or method reference here: this is made in premain, where the first one costs a JVM milliseconds
    private final ThreadLocal<List<String>> checking = new ThreadLocal<>();
    private final Function<String, byte[]> agentClassFiles;
    /** Every problem found, for diagnostics and the modules' tests. */
    private static final List<String> PROBLEMS = Collections.synchronizedList(new ArrayList<>());
    /** The problems said: each once in a JVM, whichever class loader has that version. */
    private static final java.util.Set<String> SAID = ConcurrentHashMap.newKeySet();

    VersionCheck(Function<String, byte[]> agentClassFiles) {
        this.agentClassFiles = agentClassFiles;
    }

    /** The warnings said in this JVM, in order (the modules' tests require none). */
    static List<String> problems() {
        synchronized (PROBLEMS) {
            return new ArrayList<>(PROBLEMS);
        }
    }

    /**
     * Whether {@code module}'s classes may be woven in {@code loader}: decided (and said, when not) the first time.
     *
     * @param types          the module's type instrumentations
     * @param libraryClasses classes whose absence means the library is not in {@code loader}: then the module is
     *                       left out there without a word ({@code InstrumentationModule#libraryClasses})
     * @param wovenName      the internal name of the class being woven now
     * @param wovenBytes     its class file
     * @param quiet          the warm-up's weave: decide, but say nothing and keep nothing
     */
    boolean allows(String module, List<TypeInstrumentation> types, List<String> libraryClasses, ClassLoader loader,
            String wovenName, byte[] wovenBytes, boolean quiet) {
        Map<String, Verdict> verdicts;
        synchronized (this) {
            verdicts = loader == null ? boot : loaders.get(loader);
            if (verdicts == null) {
                verdicts = new HashMap<>();
                loaders.put(loader, verdicts);
            }
        }
        List<String> mine = checking.get();
        if (mine == null) {
            mine = new ArrayList<>();
            checking.set(mine);
        }
        if (mine.contains(module)) {
            return false; // a class the check itself caused to load: left as it is
        }
        synchronized (verdicts) {
            Verdict verdict = verdicts.get(module);
            if (verdict == null) {
                mine.add(module);
                try {
                    long started = System.nanoTime();
                    LibraryCheck check = new LibraryCheck(loader);
                    check.given(wovenName, wovenBytes);
                    String absent = absent(libraryClasses, check);
                    String problem = absent != null ? null : check(module, types, check, loader);
                    verdict = absent != null ? new Verdict(absent) : problem == null ? PASSED : new Verdict(problem);
                    if (!quiet) {
                        verdicts.put(module, verdict);
                        if (absent != null) {
                            Log.debug(module + " is left out of " + describe(loader) + ": " + absent);
                        } else if (problem != null) {
                            // one warning per module and problem, however many class loaders have that version
                            String line = problem + " in " + describe(loader)
                                    + ", whose classes are left unchanged (no trace header from them)";
                            if (SAID.add(problem)) {
                                PROBLEMS.add(line);
                                Log.warn(line);
                            } else {
                                Log.debug(line);
                            }
                        } else {
                            Log.debug("checked " + module + " against " + describe(loader) + ": "
                                    + check.classFilesRead + " class files read, "
                                    + (System.nanoTime() - started) / 1000 + " us");
                        }
                    }
                } finally {
                    mine.remove(module);
                }
            }
            return verdict.problem == null;
        }
    }

    /** Why the library is not in the check's class loader (one of {@code libraryClasses} is not there), or null. */
    static String absent(List<String> libraryClasses, LibraryCheck check) {
        for (int i = 0; i < libraryClasses.size(); i++) {
            String name = libraryClasses.get(i);
            if (!check.has(name.replace('.', '/'))) {
                return "it has no " + name + " (that library is not there)";
            }
        }
        return null;
    }

    /** The warning for {@code module} in this class loader, or null when its advice all links. */
    String check(String module, List<TypeInstrumentation> types, LibraryCheck check, ClassLoader loader) {
        for (TypeInstrumentation type : types) {
            for (String binaryName : type.typeNames()) {
                String internalName = binaryName.replace('.', '/');
                List<Object[]> methods = check.methods(internalName);
                if (methods == null) {
                    continue; // not in this version of the library (or not this library at all)
                }
                DryRun dryRun = new DryRun(methods);
                type.transform(dryRun);
                String missing = dryRun.unmatched == null ? null
                        : "method of " + binaryName + " matching " + dryRun.unmatched + ", which "
                                + simpleName(type.getClass().getName()) + " instruments";
                for (int i = 0; missing == null && i < dryRun.advice.size(); i++) {
                    String advice = dryRun.advice.get(i);
                    for (Reference reference : referencesOf(advice)) {
                        String why = check.missing(reference, internalName);
                        if (why != null) {
                            missing = why + ", which " + simpleName(reference.source) + " uses";
                            break;
                        }
                    }
                }
                if (missing != null) {
                    return module + ": " + library(loader, internalName)
                            + " is not a version this agent knows: it has no " + missing + ". The " + module
                            + " instrumentation is skipped";
                }
            }
        }
        return null;
    }

    private List<Reference> referencesOf(String advice) {
        List<Reference> found = references.get(advice);
        if (found == null) {
            byte[] bytes = agentClassFiles.apply(advice);
            // an advice the agent cannot read is the weaver's to report
            found = bytes == null ? Collections.emptyList() : References.of(advice, bytes, agentClassFiles);
            references.put(advice, found);
        }
        return found;
    }

    private static String simpleName(String binaryName) {
        return binaryName.substring(binaryName.lastIndexOf('.') + 1);
    }

    static String describe(ClassLoader loader) {
        if (loader == null) {
            return "the bootstrap class loader";
        }
        String name = loader.getName();
        return "class loader " + (name != null ? name + " " : "") + "(" + loader.getClass().getName() + "@"
                + Integer.toHexString(System.identityHashCode(loader)) + ")";
    }

    /**
     * The library {@code internalName} comes from, as a message names it: the jar's title and version (its manifest,
     * else its Maven {@code pom.properties}) and the jar's file name; the JDK's version for the JDK's classes.
     */
    static String library(ClassLoader loader, String internalName) {
        URL url = loader == null ? ClassLoader.getPlatformClassLoader().getResource(internalName + ".class")
                : loader.getResource(internalName + ".class");
        String pkg = internalName.lastIndexOf('/') < 0 ? internalName
                : internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
        if (url == null) {
            return "the library of " + pkg;
        }
        if ("jrt".equals(url.getProtocol())) {
            return "the JDK's " + pkg + " (Java " + Runtime.version() + ")";
        }
        if (!"jar".equals(url.getProtocol())) {
            return "the library of " + pkg + " at " + url + " (version unknown)";
        }
        String jar = url.getPath();
        int bang = jar.indexOf("!/");
        jar = bang < 0 ? jar : jar.substring(0, bang);
        String file = jar.substring(jar.lastIndexOf('/') + 1);
        String title = null;
        String version = null;
        try {
            URLConnection connection = url.openConnection();
            if (connection instanceof JarURLConnection) {
                connection.setUseCaches(false);
                try (JarFile jarFile = ((JarURLConnection) connection).getJarFile()) {
                    Manifest manifest = jarFile.getManifest();
                    if (manifest != null) {
                        Attributes main = manifest.getMainAttributes();
                        title = first(main, "Implementation-Title", "Bundle-Name", "Automatic-Module-Name",
                                "Bundle-SymbolicName");
                        version = first(main, "Implementation-Version", "Bundle-Version");
                    }
                    if (version == null) {
                        Enumeration<JarEntry> entries = jarFile.entries();
                        while (entries.hasMoreElements() && version == null) {
                            JarEntry entry = entries.nextElement();
                            if (entry.getName().startsWith("META-INF/maven/")
                                    && entry.getName().endsWith("/pom.properties")) {
                                Properties pom = new Properties();
                                try (InputStream in = jarFile.getInputStream(entry)) {
                                    pom.load(in);
                                }
                                version = pom.getProperty("version");
                                if (title == null) {
                                    title = pom.getProperty("artifactId");
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the name of the jar is still said
        }
        return (title != null ? title : "the library of " + pkg) + " " + (version != null ? version : "(version unknown)")
                + " (" + file + ")";
    }

    private static String first(Attributes attributes, String... names) {
        for (String name : names) {
            String value = attributes.getValue(name);
            if (value != null && !value.trim().isEmpty()) {
                return value.trim();
            }
        }
        return null;
    }

    /**
     * An {@link AdviceTarget} that weaves nothing: it shows a type instrumentation a class's methods and records which
     * advice it gives, and the first matcher that matches nothing.
     */
    private static final class DryRun implements AdviceTarget {
        private final List<Object[]> methods;
        final List<String> advice = new ArrayList<>(2);
        MethodMatcher unmatched;

        DryRun(List<Object[]> methods) {
            this.methods = methods;
        }

        @Override
        public boolean declares(MethodMatcher matcher) {
            for (Object[] method : methods) {
                if (matcher.matches((Integer) method[0], (String) method[1], (String) method[2])) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void applyAdvice(MethodMatcher matcher, String adviceClassName) {
            if (!declares(matcher)) {
                if (unmatched == null) {
                    unmatched = matcher;
                }
                return;
            }
            if (!advice.contains(adviceClassName)) {
                advice.add(adviceClassName);
            }
        }
    }
}

package io.albtrace.instrumentation.api;

import java.util.ArrayList;
import java.util.List;

/**
 * One library family's instrumentation (OkHttp, Apache HttpClient, ...). Implementations are listed in
 * {@code META-INF/services/io.albtrace.instrumentation.api.InstrumentationModule}, where the installer (albtrace-weaver's {@code Installer}) finds
 * them on a class path (the modules' tests); the agent creates its own directly, from a list its tests compare with
 * those files. Each is switched by {@code albtrace.instrumentation.NAME.enabled}.
 *
 * <p>Construction and {@link #typeNames()} run at start-up, so they must be trivial: no matchers, no weaver types, no
 * class loading, no I/O.
 */
public abstract class InstrumentationModule {

    private final String name;

    protected InstrumentationModule(String name) {
        this.name = name;
    }

    /** The name used in configuration and in messages, e.g. {@code okhttp}. */
    public final String name() {
        return name;
    }

    /**
     * The types this module changes, each with its matcher and advice. Called when one of {@link #typeNames()} is
     * loaded, not at start-up, when a module overrides {@link #typeNames()}.
     */
    public abstract List<TypeInstrumentation> typeInstrumentations();

    /**
     * The binary names of the classes this module changes: all the {@link TypeInstrumentation#typeNames()} of
     * {@link #typeInstrumentations()}, which the installer reads at start-up. This default creates the type
     * instrumentations to ask them. A module of the agent overrides it with the names themselves, so that its
     * type instrumentations are created only when one of those classes is loaded: creating them loads the weaver
     * and matcher classes, which a JVM that never loads one of these classes (a JDK tool) should not pay for. The installer checks that the two lists agree.
     */
    public List<String> typeNames() {
        List<String> names = new ArrayList<>();
        for (TypeInstrumentation type : typeInstrumentations()) {
            names.addAll(type.typeNames());
        }
        return names;
    }

    /**
     * Classes (binary names) that every version of the library this module instruments has, where the module's
     * targets may be loaded without them: a class loader in which one of them cannot be found does not have that
     * library, only a part of it (Netty's transport without its HTTP codec, as a Redis or Cassandra driver brings it),
     * so the module is left out there without a warning. Empty (the default): anything the module's advice needs
     * and a class loader lacks is a version the agent does not know, said once.
     */
    public List<String> libraryClasses() {
        return java.util.Collections.emptyList();
    }

    /**
     * Whether the application is all but certain to load this module's classes early although they are the JDK's
     * own (its executors): then, in a JVM with a class path, the installer's warm-up weaves one of them in the
     * background at start-up rather than letting the application's first use of a thread pool wait for Byte
     * Buddy. A JDK tool (no class path) still starts no thread. False unless overridden.
     */
    public boolean warmUpWithJdkTargets() {
        return false;
    }

    /**
     * Why {@link #typeNames()} do not name exactly the classes {@code types} change (a bug in the module), or null
     * when they agree. The installer checks this when it creates the type instrumentations; the modules' tests too.
     */
    public final String typeNamesMismatch(List<TypeInstrumentation> types) {
        java.util.Set<String> declared = new java.util.TreeSet<>(typeNames());
        java.util.Set<String> actual = new java.util.TreeSet<>();
        for (TypeInstrumentation type : types) {
            actual.addAll(type.typeNames());
        }
        return declared.equals(actual) ? null
                : "its type names " + declared + " are not those of its type instrumentations " + actual;
    }

    /**
     * Whether the JVM was given a class path or a module path, where a library could be. A JDK tool ({@code jcmd},
     * {@code keytool}) has neither: its classes all come from the JDK's own modules (the agent's jar, which the JVM
     * adds to the class path, leaves {@code java.class.path} as it was). Looking each target up anyway, through
     * every class loader, cost a tool a visible part of its start-up (benchmarks/RESULTS.md, "JDK tools").
     */
    public static boolean hasApplicationPath() {
        return !System.getProperty("java.class.path", "").isEmpty()
                || !System.getProperty("jdk.module.path", "").isEmpty();
    }

    @Override
    public String toString() {
        return name;
    }
}

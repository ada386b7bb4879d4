package io.albtrace.agent.internal;

import io.albtrace.agent.AlbtraceAgent;
import java.lang.instrument.Instrumentation;
import java.util.function.Function;
import java.util.jar.JarFile;

/**
 * Created once by {@code AlbtraceAgent} in the agent's class loader: defines the core classes in the bootstrap
 * loader, then installs. Refers to no core class itself, so that none is looked up before it is defined.
 *
 * <p>It is a {@link Function} of {@code {Instrumentation, JarFile, String bootPrefix, String how, String settings}}
 * to the outcome ({@link #start}) so that the
 * entry class, which cannot see this loader's types, calls it through a JDK interface rather than by reflection:
 * since Java 18 the first reflective call of a method costs tens of milliseconds of start-up (method handles are
 * spun for it), in every JVM the agent is attached to.
 */
public final class AgentStarter implements Function<Object[], String> {

    public AgentStarter() {
    }

    @Override
    public String apply(Object[] arguments) {
        try {
            return start((Instrumentation) arguments[0], (JarFile) arguments[1], (String) arguments[2],
                    (String) arguments[3], (String) arguments[4]);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.toString(), e);
        }
    }

    /**
     * @param settings the agent arguments' settings, {@code key=value,...}, or null
     * @return the outcome, for the attach command's report: a status line, then settings problems
     */
    public static String start(Instrumentation instrumentation, JarFile jar, String bootPrefix, String how,
            String settings) throws Exception {
        long started = System.nanoTime();
        Throwable notOpened = BootstrapInjector.openInternals(instrumentation);
        ArchiveDump.Kind archive = ArchiveDump.detect(notOpened == null);
        if (archive == ArchiveDump.Kind.STATIC) {
            // -Xshare:dump: the JVM loads a class list and writes; no application runs, so there is nothing to do,
            // and the agent's classes would only be in the way of the archive (HotSpot 25 refuses to write one
            // whose heap objects the agent's static fields refer to)
            return AlbtraceAgent.DISABLED + " this JVM only writes a class-data sharing archive or an AOT cache and"
                    + " runs no application: nothing installed";
        }
        BootstrapInjector.inject(instrumentation, jar, bootPrefix, notOpened);
        return Installation.run(instrumentation, how, settings, started, System.nanoTime(),
                archive == ArchiveDump.Kind.TRAINING);
    }
}

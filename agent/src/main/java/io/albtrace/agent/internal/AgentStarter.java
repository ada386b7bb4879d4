package io.albtrace.agent.internal;

import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * Called once by {@code AlbtraceAgent} in the agent's class loader: defines the core classes in the bootstrap
 * loader, then installs. Refers to no core class itself, so that none is looked up before it is defined.
 */
public final class AgentStarter {

    private AgentStarter() {
    }

    /**
     * @param settings the agent arguments' settings, {@code key=value,...}, or null
     * @return the outcome, for the attach command's report: a status line, then settings problems
     */
    public static String start(Instrumentation instrumentation, JarFile jar, String bootPrefix, String how,
            String settings) throws Exception {
        BootstrapInjector.inject(instrumentation, jar, bootPrefix);
        return Installation.run(instrumentation, how, settings);
    }
}

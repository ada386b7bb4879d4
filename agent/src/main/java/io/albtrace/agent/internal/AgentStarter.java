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

    public static void start(Instrumentation instrumentation, JarFile jar, String bootPrefix, String how)
            throws Exception {
        BootstrapInjector.inject(instrumentation, jar, bootPrefix);
        Installation.run(instrumentation, how);
    }
}

package jdk.internal.misc;

import java.security.ProtectionDomain;

/**
 * Compile-time stand-in for the JDK's own {@code jdk.internal.misc.Unsafe}, which {@code --release 11} does not
 * let javac see: only the two members {@code io.albtrace.agent.internal.BootstrapInjector} calls, with the JDK's
 * signatures (unchanged from Java 9 to 25). Never packaged (the agent's pom excludes {@code jdk/**}): at run time
 * the calls link to the JDK's class, after the agent has opened its package to itself.
 */
public final class Unsafe {

    private Unsafe() {
    }

    public static Unsafe getUnsafe() {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public Class<?> defineClass(String name, byte[] b, int off, int len, ClassLoader loader,
            ProtectionDomain protectionDomain) {
        throw new UnsupportedOperationException("compile-time stub");
    }
}

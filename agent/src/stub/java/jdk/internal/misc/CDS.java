package jdk.internal.misc;

/**
 * Compile-time stand-in for the JDK's {@code jdk.internal.misc.CDS} (Java 16 and later), which {@code --release 11}
 * does not let javac see: only the member {@code io.albtrace.agent.internal.ArchiveDump} calls, with the JDK's
 * signature (the same on 17 and 25). Never packaged: at run time the call links to the JDK's class, after the agent
 * has opened its package to itself; on Java 11 to 15 it fails to link, and the caller falls back.
 */
public final class CDS {

    private CDS() {
    }

    public static boolean isDumpingArchive() {
        throw new UnsupportedOperationException("compile-time stub");
    }
}

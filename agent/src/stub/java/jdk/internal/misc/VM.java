package jdk.internal.misc;

/**
 * Compile-time stand-in for the JDK's {@code jdk.internal.misc.VM}: only the member
 * {@code io.albtrace.agent.internal.ArchiveDump} calls on Java 11 to 15, with the JDK's signature (unchanged since
 * Java 9). Never packaged: at run time the call links to the JDK's class.
 */
public final class VM {

    private VM() {
    }

    public static String[] getRuntimeArguments() {
        throw new UnsupportedOperationException("compile-time stub");
    }
}

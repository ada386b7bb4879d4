package io.albtrace.agent.internal;

import java.util.List;

/**
 * Whether this JVM writes a class-data sharing archive or an AOT cache, by the JVM's own account. The JVM cannot
 * archive a class an agent redefined or retransformed, and HotSpot 25 crashes writing an archive without one it needs
 * itself ({@code java.lang.Thread}).
 *
 * <p>On Java 16 and later the first question is {@code jdk.internal.misc.CDS.isDumpingArchive()}, a field the JVM set
 * at start-up (the class is loaded in every JVM already; its package is opened to the agent by
 * {@link BootstrapInjector#openInternals}): no archive, nothing more is done. Which kind of run it is then comes from
 * the JVM's arguments ({@code jdk.internal.misc.VM.getRuntimeArguments()}, with those of {@code JAVA_TOOL_OPTIONS}
 * and option files), as it does on Java 11 to 15 (no such class). Where the package cannot be opened (the JVM refuses
 * during {@code -Xshare:dump}), the arguments as the management API gives them.
 */
final class ArchiveDump {

    /** What this JVM does with an archive. */
    enum Kind {
        /** It writes none. */
        NONE,
        /**
         * It runs the application and writes an archive of what it loaded: {@code -XX:ArchiveClassesAtExit},
         * {@code -XX:+AutoCreateSharedArchive} when it creates one, {@code -XX:+RecordDynamicDumpInfo} (for
         * {@code jcmd VM.cds dynamic_dump}), an AOT training run ({@code -XX:AOTMode=record},
         * {@code -XX:AOTCacheOutput}). The agent installs, and leaves the classes loaded before it alone.
         */
        TRAINING,
        /**
         * It runs no application, only writes: {@code -Xshare:dump}, {@code -XX:AOTMode=create} (where HotSpot 25 does
         * not start agents anyway). The agent installs nothing.
         */
        STATIC
    }

    private ArchiveDump() {
    }

    /** @param opened whether {@code jdk.internal.misc} is open to the agent */
    static Kind detect(boolean opened) {
        if (opened) {
            try {
                if (!jdk.internal.misc.CDS.isDumpingArchive()) {
                    return Kind.NONE;
                }
                Kind kind = kind(List.of(jdk.internal.misc.VM.getRuntimeArguments()));
                // the JVM says it writes one: by an option the arguments do not show (-XX:Flags=FILE), a training run
                return kind == Kind.NONE ? Kind.TRAINING : kind;
            } catch (LinkageError beforeJava16) {
                // below
            }
            try {
                return kind(List.of(jdk.internal.misc.VM.getRuntimeArguments()));
            } catch (LinkageError e) {
                // below
            }
        }
        try {
            return kind(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        } catch (LinkageError | RuntimeException noManagement) {
            return Kind.NONE;
        }
    }

    /**
     * What these JVM options (as the JVM received them) do with an archive. The last {@code -Xshare:} and
     * {@code -XX:AOTMode=} count.
     */
    static Kind kind(List<String> arguments) {
        boolean training = false;
        boolean staticDump = false;
        String aotMode = null;
        for (String a : arguments) {
            if (a.startsWith("-Xshare:")) {
                staticDump = a.equals("-Xshare:dump");
            } else if (a.equals("-XX:+DumpSharedSpaces")) {
                staticDump = true;
            } else if (a.equals("-XX:-DumpSharedSpaces")) {
                staticDump = false;
            } else if (a.startsWith("-XX:AOTMode=")) {
                aotMode = a.substring("-XX:AOTMode=".length());
            } else if (a.startsWith("-XX:ArchiveClassesAtExit=") && a.length() > "-XX:ArchiveClassesAtExit=".length()
                    || a.startsWith("-XX:AOTCacheOutput=") && a.length() > "-XX:AOTCacheOutput=".length()
                    || a.equals("-XX:+DynamicDumpSharedSpaces") || a.equals("-XX:+RecordDynamicDumpInfo")
                    || a.equals("-XX:+AutoCreateSharedArchive")) {
                training = true;
            }
        }
        if (staticDump || "create".equals(aotMode)) {
            return Kind.STATIC;
        }
        return training || "record".equals(aotMode) ? Kind.TRAINING : Kind.NONE;
    }
}

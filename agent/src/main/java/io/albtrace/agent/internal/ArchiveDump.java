package io.albtrace.agent.internal;

import java.util.List;

/**
 * Whether this JVM writes a class-data sharing archive or an AOT cache, by the JVM's own account: a CDS dump
 * ({@code -Xshare:dump}), a dynamic archive ({@code -XX:ArchiveClassesAtExit}, {@code -XX:+AutoCreateSharedArchive}
 * when it creates one, {@code -XX:+RecordDynamicDumpInfo} for {@code jcmd VM.cds dynamic_dump}), an AOT training run
 * or the cache's creation ({@code -XX:AOTMode=record}, {@code -XX:AOTMode=create}, {@code -XX:AOTCacheOutput}, both
 * of its steps). The JVM cannot archive a class an agent redefined or retransformed; the installer then leaves the
 * classes loaded before it alone ({@code Installer.install}).
 *
 * <p>On Java 16 and later: {@code jdk.internal.misc.CDS.isDumpingArchive()}, a field the JVM set at start-up (the class
 * is loaded in every JVM already); its package is opened to the agent by {@link BootstrapInjector}. On Java 11 to 15
 * (no such class): the JVM's arguments ({@code jdk.internal.misc.VM.getRuntimeArguments()}, with those of
 * {@code JAVA_TOOL_OPTIONS} and option files). Where neither can be reached, the arguments as the management API gives
 * them.
 */
final class ArchiveDump {

    private ArchiveDump() {
    }

    static boolean detect() {
        try {
            return jdk.internal.misc.CDS.isDumpingArchive();
        } catch (LinkageError noSuchClassOrNotOpened) {
            // below
        }
        try {
            return inArguments(List.of(jdk.internal.misc.VM.getRuntimeArguments()));
        } catch (LinkageError notOpened) {
            // below
        }
        try {
            return inArguments(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        } catch (LinkageError | RuntimeException noManagement) {
            return false;
        }
    }

    /**
     * Whether these JVM options (as the JVM received them) write an archive. The last {@code -Xshare:} and
     * {@code -XX:AOTMode=} count.
     */
    static boolean inArguments(List<String> arguments) {
        boolean dumping = false;
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
                    || a.equals("-XX:+DynamicDumpSharedSpaces") || a.equals("-XX:+RecordDynamicDumpInfo")) {
                dumping = true;
            }
        }
        return dumping || staticDump || "record".equals(aotMode) || "create".equals(aotMode);
    }
}

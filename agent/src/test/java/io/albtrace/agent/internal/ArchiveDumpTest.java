package io.albtrace.agent.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM options that write a CDS archive or an AOT cache, as Java 11 to 15 are told apart by their arguments.
 * (On 16 and later the JVM says so itself; the smoke tests run each of these there, {@code ArchiveIT}.)
 */
class ArchiveDumpTest {

    @Test
    void theOptionsThatWriteAnArchive() {
        for (String option : List.of("-Xshare:dump", "-XX:+DumpSharedSpaces", "-XX:ArchiveClassesAtExit=app.jsa",
                "-XX:+DynamicDumpSharedSpaces", "-XX:+RecordDynamicDumpInfo", "-XX:AOTMode=record",
                "-XX:AOTMode=create", "-XX:AOTCacheOutput=app.aot")) {
            assertTrue(ArchiveDump.inArguments(List.of("-Xmx1g", option, "-Dx=y")), option);
        }
    }

    @Test
    void theOptionsThatUseOne() {
        for (String option : List.of("-Xshare:auto", "-Xshare:on", "-Xshare:off", "-XX:SharedArchiveFile=app.jsa",
                "-XX:AOTCache=app.aot", "-XX:AOTMode=auto", "-XX:AOTMode=on", "-XX:AOTMode=off",
                "-XX:ArchiveClassesAtExit=", "-XX:AOTCacheOutput=", "-XX:DumpLoadedClassList=app.classlist",
                "-Dfoo=-Xshare:dump")) {
            assertFalse(ArchiveDump.inArguments(List.of(option)), option);
        }
        assertFalse(ArchiveDump.inArguments(List.of()));
    }

    @Test
    void theLastShareAndAotModeCount() {
        assertFalse(ArchiveDump.inArguments(List.of("-Xshare:dump", "-Xshare:auto")));
        assertTrue(ArchiveDump.inArguments(List.of("-Xshare:off", "-Xshare:dump")));
        assertFalse(ArchiveDump.inArguments(List.of("-XX:AOTMode=record", "-XX:AOTMode=off")));
        assertTrue(ArchiveDump.inArguments(List.of("-XX:AOTMode=auto", "-XX:AOTMode=create")));
    }

    /** The JVM running the tests writes no archive; on 16 and later its own answer is read. */
    @Test
    void thisJvmWritesNone() {
        assertFalse(ArchiveDump.detect());
    }
}

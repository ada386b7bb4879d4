package io.albtrace.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.agent.internal.ArchiveDump.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the JVM's options do with an archive, as the agent tells them apart once the JVM said it writes one (and on
 * Java 11 to 15 by the options alone). The smoke tests run each of these runs for real with the agent
 * ({@code SpringBootArchiveIT}).
 */
class ArchiveDumpTest {

    @Test
    void theOptionsOfARunThatWritesWhatItLoaded() {
        for (String option : List.of("-XX:ArchiveClassesAtExit=app.jsa", "-XX:+DynamicDumpSharedSpaces",
                "-XX:+RecordDynamicDumpInfo", "-XX:+AutoCreateSharedArchive", "-XX:AOTMode=record",
                "-XX:AOTCacheOutput=app.aot")) {
            assertEquals(Kind.TRAINING, ArchiveDump.kind(List.of("-Xmx1g", option, "-Dx=y")), option);
        }
    }

    @Test
    void theOptionsOfARunThatOnlyWrites() {
        for (String option : List.of("-Xshare:dump", "-XX:+DumpSharedSpaces", "-XX:AOTMode=create")) {
            assertEquals(Kind.STATIC, ArchiveDump.kind(List.of("-Xmx1g", option)), option);
        }
        // the cache's creation step that -XX:AOTCacheOutput starts, with the training run's options
        assertEquals(Kind.STATIC, ArchiveDump.kind(List.of("-XX:AOTCacheOutput=app.aot",
                "-XX:AOTConfiguration=app.aot.config", "-XX:AOTMode=create")));
    }

    @Test
    void theOptionsThatUseOneOrNone() {
        for (String option : List.of("-Xshare:auto", "-Xshare:on", "-Xshare:off", "-XX:SharedArchiveFile=app.jsa",
                "-XX:AOTCache=app.aot", "-XX:AOTMode=auto", "-XX:AOTMode=on", "-XX:AOTMode=off",
                "-XX:ArchiveClassesAtExit=", "-XX:AOTCacheOutput=", "-XX:DumpLoadedClassList=app.classlist",
                "-Dfoo=-Xshare:dump")) {
            assertEquals(Kind.NONE, ArchiveDump.kind(List.of(option)), option);
        }
        assertEquals(Kind.NONE, ArchiveDump.kind(List.of()));
    }

    @Test
    void theLastShareAndAotModeCount() {
        assertEquals(Kind.NONE, ArchiveDump.kind(List.of("-Xshare:dump", "-Xshare:auto")));
        assertEquals(Kind.STATIC, ArchiveDump.kind(List.of("-Xshare:off", "-Xshare:dump")));
        assertEquals(Kind.NONE, ArchiveDump.kind(List.of("-XX:AOTMode=record", "-XX:AOTMode=off")));
        assertEquals(Kind.STATIC, ArchiveDump.kind(List.of("-XX:AOTMode=record", "-XX:AOTMode=create")));
    }

    /** The JVM running the tests writes no archive (here the package is not opened: the management API answers). */
    @Test
    void thisJvmWritesNone() {
        assertEquals(Kind.NONE, ArchiveDump.detect(false));
    }
}

package io.albtrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent arguments as the attach command passes them: an optional report file first, then the settings. */
class AlbtraceAgentTest {

    @Test
    void reportFileAndSettings() {
        String both = "report=/tmp/albtrace-attach-1.txt,albtrace.debug=true,albtrace.enabled=true";
        assertEquals("/tmp/albtrace-attach-1.txt", AlbtraceAgent.reportFile(both));
        assertEquals("albtrace.debug=true,albtrace.enabled=true", AlbtraceAgent.settings(both));

        assertEquals("/tmp/r.txt", AlbtraceAgent.reportFile("report=/tmp/r.txt"));
        assertNull(AlbtraceAgent.settings("report=/tmp/r.txt"));

        // -javaagent:albtrace-agent.jar=... and attach without a report: all settings
        assertNull(AlbtraceAgent.reportFile("albtrace.debug=true"));
        assertEquals("albtrace.debug=true", AlbtraceAgent.settings("albtrace.debug=true"));
        assertNull(AlbtraceAgent.reportFile(null));
        assertNull(AlbtraceAgent.settings(null));
        assertEquals("", AlbtraceAgent.settings(""));

        // only leading: a later report= is a (bad) setting for Config to report
        assertNull(AlbtraceAgent.reportFile("albtrace.debug=true,report=/tmp/x"));
        assertEquals("albtrace.debug=true,report=/tmp/x", AlbtraceAgent.settings("albtrace.debug=true,report=/tmp/x"));
        assertNull(AlbtraceAgent.reportFile("report=,albtrace.debug=true"));
        assertEquals("albtrace.debug=true", AlbtraceAgent.settings("report=,albtrace.debug=true"));
    }

    /** The agent writes only the attach command's file: existing, empty, regular, its own user's, no link. */
    @Test
    void theReportIsWrittenOnlyToAnEmptyRegularFile(@TempDir Path tmp) throws Exception {
        Path file = Files.createFile(tmp.resolve("report"));
        assertTrue(AlbtraceAgent.writeReport(file, "started x\nproblem y"));
        assertEquals("started x\nproblem y\n", new String(Files.readAllBytes(file), StandardCharsets.UTF_8));

        // not empty: left as it is
        assertFalse(AlbtraceAgent.writeReport(file, "failed z"));
        assertEquals("started x\nproblem y\n", new String(Files.readAllBytes(file), StandardCharsets.UTF_8));

        // a symbolic link, even to an empty file: not followed
        Path target = Files.createFile(tmp.resolve("target"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        assertFalse(AlbtraceAgent.writeReport(link, "started x"));
        assertEquals(0, Files.size(target));

        // none there: never created
        assertThrows(IOException.class, () -> AlbtraceAgent.writeReport(tmp.resolve("none"), "started x"));
        assertFalse(Files.exists(tmp.resolve("none")));

        // a FIFO: not opened, so nothing blocks
        Path fifo = tmp.resolve("fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertFalse(AlbtraceAgent.writeReport(fifo, "started x"));
        }
    }
}

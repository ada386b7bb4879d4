package io.albtrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

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
}

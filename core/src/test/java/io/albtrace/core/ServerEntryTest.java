package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerEntryTest {

    static final String ROOT = "1-67891233-abcdef012345678912345678";
    static final String FULL = "Self=1-63441c4a-12456789abcdef012345678;Root=" + ROOT + ";K=v";

    @BeforeEach
    @AfterEach
    void nothingOpen() {
        assertNull(Context.current(), "a test left a context bound");
        assertFalse(ServerEntry.inside(), "a test left an entry open");
    }

    @Test
    void bindsTheIncomingFieldsAsReceivedAndRestores() {
        try (ServerEntry entry = ServerEntry.enter(" " + FULL + " ", null)) {
            assertNotNull(entry);
            assertEquals(FULL, entry.context());
            assertEquals(FULL, Context.current());
            assertTrue(ServerEntry.inside());
        }
        assertNull(Context.current());
    }

    @Test
    void noHeaderOrAnInvalidRootANewRootWithTheCustomFields() {
        try (ServerEntry entry = ServerEntry.enter(null, null)) {
            assertTrue(entry.context().matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24}"), entry.context());
        }
        try (ServerEntry entry = ServerEntry.enter("Root=bad;K=v;x", null)) {
            assertTrue(entry.context().matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};K=v"), entry.context());
        }
    }

    @Test
    void aContextOverTheBoundIsTheRootAloneAndSoIsTheResponseHeader() {
        String huge = FULL + ";Big=" + "x".repeat(60 * 1024);
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            Map<String, java.util.List<String>> headers = new java.util.HashMap<>();
            try (ServerEntry entry = ServerEntry.enter(huge, null, headers)) {
                assertEquals("Root=" + ROOT, entry.context());
                assertEquals("Root=" + ROOT, Context.current());
            }
            assertEquals(Map.of(TraceHeader.NAME, java.util.List.of("Root=" + ROOT)), headers);
            try (ServerEntry entry = ServerEntry.enter("Root=bad;" + huge.substring(huge.indexOf("K=v")), null)) {
                assertTrue(entry.context().matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24}"), entry.context());
            }
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void theBoundIsAlbtraceMaxHeaderBytes() {
        Properties p = new Properties();
        p.setProperty(Config.MAX_HEADER_BYTES, String.valueOf(FULL.length()));
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            try (ServerEntry entry = ServerEntry.enter(FULL, null)) {
                assertEquals(FULL, entry.context(), "exactly at the bound: as received");
            }
            try (ServerEntry entry = ServerEntry.enter(FULL + "w", null)) {
                assertEquals("Root=" + ROOT, entry.context(), "one byte over: the Root alone");
            }
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void nestedEntriesBindOnceAtTheOutermost() {
        try (ServerEntry outer = ServerEntry.enter(null, null)) {
            assertNull(ServerEntry.enter(FULL, null), "nested: nothing bound");
            assertEquals(outer.context(), Context.current());
        }
    }

    @Test
    void thePreviousContextIsRestoredEvenAStaleOne() {
        try (Scope stale = Context.bind("Root=1-11111111-111111111111111111111111")) {
            try (ServerEntry entry = ServerEntry.enter(null, null)) {
                assertFalse(entry.context().contains("11111111"), "a new request never sees a stale context");
            }
            assertEquals("Root=1-11111111-111111111111111111111111", Context.current());
        }
    }

    @Test
    void aCloseOnAnotherThreadIsRefusedAndASecondCloseDoesNothing() throws Exception {
        ServerEntry entry = ServerEntry.enter(FULL, null);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(entry::close).get(10, TimeUnit.SECONDS);
            assertEquals(FULL, Context.current(), "still open");
        } finally {
            other.shutdownNow();
            assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));
        }
        entry.close();
        entry.close();
        assertNull(Context.current());
    }

    @Test
    void theResponseHeaderOnlyWhenAskedFor() {
        try (ServerEntry entry = ServerEntry.enter(FULL, null)) {
            assertNull(entry.responseHeader());
        }
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        try (ServerEntry entry = ServerEntry.enter(FULL, null)) {
            assertEquals("Root=" + ROOT, entry.responseHeader());
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void noLoggingLibraryNoMdc() {
        assertNull(Mdc.put("Root=" + ROOT, getClass().getClassLoader(), null), "core's tests have no SLF4J or Log4j");
        assertNull(Mdc.put("Root=" + ROOT, null, null));
        Mdc.restore(null);
    }

    @Test
    void withTraceHeaderReplacesEveryCopyInAnyCase() {
        Map<String, java.util.List<String>> in = new java.util.LinkedHashMap<>();
        in.put("accept", java.util.List.of("a"));
        in.put("x-amzn-trace-id", java.util.List.of("one", "two"));
        in.put("X-AMZN-TRACE-ID", java.util.List.of("three"));
        in.put("Accept", java.util.List.of("b"));
        Map<String, java.util.List<String>> out = Outgoing.withTraceHeader(in, "Root=" + ROOT);
        assertEquals(2, out.size(), out.toString());
        assertEquals(java.util.List.of("Root=" + ROOT), out.get("x-amzn-trace-id"));
        assertEquals(java.util.List.of("a", "b"), out.get("ACCEPT"));
        assertTrue(out.containsKey(TraceHeader.NAME));
    }

    @Test
    void replacingTraceHeaderIsAViewWithOneTraceHeaderLastThatHttpHeadersCopies() {
        Map<String, java.util.List<String>> in = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        in.put("accept", java.util.List.of("a", "b"));
        in.put("x-amzn-trace-id", java.util.List.of("one", "two"));
        in.put("Zed", java.util.List.of("z"));
        Map<String, java.util.List<String>> view = Outgoing.replacingTraceHeader(in, "Root=" + ROOT);
        assertEquals(3, view.size());
        assertEquals(java.util.List.of("accept", "Zed", TraceHeader.NAME), new java.util.ArrayList<>(view.keySet()));
        assertEquals(java.util.List.of("Root=" + ROOT), view.get(TraceHeader.NAME));
        java.net.http.HttpHeaders copied = java.net.http.HttpHeaders.of(view, (n, v) -> true);
        assertEquals(java.util.List.of("Root=" + ROOT), copied.allValues("X-AMZN-TRACE-ID"));
        assertEquals(java.util.List.of("a", "b"), copied.allValues("Accept"));
        assertEquals(3, copied.map().size());
        assertEquals(3, in.size(), "the source is not changed");
        Map<String, java.util.List<String>> none = Outgoing.replacingTraceHeader(Map.of(), "Root=" + ROOT);
        assertEquals(Map.of(TraceHeader.NAME, java.util.List.of("Root=" + ROOT)), none);
    }

    @Test
    void headerBytesCountsLinesAndSkipsPseudoAndOverriddenHeaders() {
        Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", java.util.List.of("h"));                  // 4 + 1 + 4
        headers.put("Cookie", java.util.List.of("a=1", "b=2"));       // 2 * (6 + 3 + 4)
        headers.put(":path", java.util.List.of("/"));                 // not a header
        assertEquals(9 + 26, Outgoing.headerBytes(headers, null));
        Map<String, java.util.List<String>> user = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        user.put("host", java.util.List.of("other"));
        assertEquals(26, Outgoing.headerBytes(headers, user));
    }

    @Test
    void theResponseHeaderGoesIntoTheGivenMapAndAMapThatRefusesItChangesNothingElse() {
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            assertTrue(ServerEntry.responseHeaderEnabled());
            Map<String, java.util.List<String>> headers = new java.util.HashMap<>();
            try (ServerEntry entry = ServerEntry.enter(FULL, null, headers)) {
                assertNotNull(entry);
            }
            assertEquals(Map.of(TraceHeader.NAME, java.util.List.of("Root=" + ROOT)), headers);
            headers.get(TraceHeader.NAME).add("the application may add"); // a mutable list, as Headers has

            Map<String, java.util.List<String>> refuses = java.util.Collections.unmodifiableMap(new java.util.HashMap<>());
            try (ServerEntry entry = ServerEntry.enter(FULL, null, refuses)) {
                assertNotNull(entry, "the request is entered all the same");
                assertEquals(FULL, Context.current());
                assertTrue(ServerEntry.inside());
            }
            assertNull(Context.current());
            assertFalse(ServerEntry.inside());
        } finally {
            Config.install(previous);
        }
        assertFalse(ServerEntry.responseHeaderEnabled());
        Map<String, java.util.List<String>> untouched = new java.util.HashMap<>();
        try (ServerEntry entry = ServerEntry.enter(FULL, null, untouched)) {
            assertNotNull(entry);
        }
        assertEquals(Map.of(), untouched, "responses are not changed by default");
    }
}

package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeaderScanTest {

    @Test
    void noTraceHeader() {
        HeaderScan scan = HeaderScan.http1().add("Host", "a:80").add("Accept", "*/*");
        assertNull(scan.first());
        assertEquals(0, scan.copies());
        assertEquals("Host: a:80\r\n".length() + "Accept: */*\r\n".length(), scan.otherBytes());
        assertEquals(scan.otherBytes(), scan.allBytes());
    }

    @Test
    void firstCopyAnyCaseAndEveryCopyCounted() {
        HeaderScan scan = HeaderScan.http1()
                .add("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793")
                .add("Accept", "*/*")
                .add("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678");
        assertEquals("Root=1-5759e988-bd862e3fe1be46a994272793", scan.first());
        assertEquals(2, scan.copies());
        assertEquals("Accept: */*\r\n".length(), scan.otherBytes());
        assertEquals(scan.otherBytes() + 2 * "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793\r\n".length(),
                scan.allBytes());
    }

    @Test
    void nullNameSkippedNullValueCountsItsName() {
        HeaderScan scan = HeaderScan.http1().add(null, "GET / HTTP/1.1").add("Empty", null);
        assertEquals("Empty: \r\n".length(), scan.otherBytes());
    }

    @Test
    void http2LeavesOutWhatTheStreamDoesNotCarry() {
        HeaderScan scan = HeaderScan.http2();
        for (String name : new String[] {"Host", "host", "Connection", "Keep-Alive", "Proxy-Connection",
                "Transfer-Encoding", "Encoding", "Upgrade", "te"}) {
            scan.add(name, "x");
        }
        assertEquals(0, scan.allBytes());
        scan.add("TE", "trailers").add("Accept", "*/*");
        assertEquals("TE: trailers\r\n".length() + "Accept: */*\r\n".length(), scan.otherBytes());
        HeaderScan h1 = HeaderScan.of(false).add("Host", "a").add("Connection", "close");
        assertEquals("Host: a\r\n".length() + "Connection: close\r\n".length(), h1.otherBytes());
    }

    @Test
    void sentOnHttp2() {
        assertTrue(HeaderScan.sentOnHttp2("Accept", "*/*"));
        assertTrue(HeaderScan.sentOnHttp2("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"));
        assertTrue(HeaderScan.sentOnHttp2("Hosts", "a")); // same first letters, another name
        assertTrue(HeaderScan.sentOnHttp2("Te", "trailers"));
        assertFalse(HeaderScan.sentOnHttp2("Te", "gzip"));
        assertFalse(HeaderScan.sentOnHttp2("TE", null));
        assertFalse(HeaderScan.sentOnHttp2("TRANSFER-ENCODING", "chunked"));
    }
}

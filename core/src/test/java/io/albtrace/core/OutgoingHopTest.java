package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class OutgoingHopTest {

    @Test
    void theStatusOfAStatusLine() {
        assertEquals(200, OutgoingHop.status("HTTP/1.1 200 OK"));
        assertEquals(404, OutgoingHop.status("HTTP/1.0 404"));
        assertEquals(503, OutgoingHop.status("HTTP/1.1  503 Service Unavailable"));
        assertEquals(-1, OutgoingHop.status(null));
        assertEquals(-1, OutgoingHop.status("HTTP/1.1"));
        assertEquals(-1, OutgoingHop.status("HTTP/1.1 20x OK"));
        assertEquals(-1, OutgoingHop.status("HTTP/1.1 2000 OK"));
        assertEquals(-1, OutgoingHop.status("ICY 200 OK"));
    }

    @Test
    void theHostWithItsPortAndThePathWithoutTheQuery() throws Exception {
        assertArrayEquals(new String[] {"127.0.0.1:8080", "/a/b"},
                OutgoingHop.hostAndPath(URI.create("http://127.0.0.1:8080/a/b?secret=1#f")));
        assertArrayEquals(new String[] {"example.com:443", "/"},
                OutgoingHop.hostAndPath(URI.create("https://example.com")));
        assertArrayEquals(new String[] {"example.com:80", "/x%20y"},
                OutgoingHop.hostAndPath(new URL("http://example.com/x%20y?q=1")));
        assertArrayEquals(new String[] {"[::1]:9000", "/v6"}, OutgoingHop.hostAndPath("http://[::1]:9000/v6?k=v"));
        assertArrayEquals(new String[] {"h:443", "/a"}, OutgoingHop.hostAndPath("https", "h", -1, "/a?b=c"));
        assertArrayEquals(new String[] {"h:81", "/"}, OutgoingHop.hostAndPath("http", "h", 81, "?q"));
        assertArrayEquals(new String[] {"[::1]:80", "/x"}, OutgoingHop.hostAndPath("http", "::1", -1, "/x#f"));
        assertArrayEquals(new String[] {"o:8080", "/p"}, OutgoingHop.hostAndPath("http", "proxy", 3128,
                "http://o:8080/p?q"));
    }

    @Test
    void offNoHopAndNothingBound() {
        assertNull(Config.current().hoplog());
        assertNull(OutgoingHop.begin("GET", "http://127.0.0.1/"));
        assertNull(OutgoingHop.current());
    }

    @Test
    void theLineOfAHopInAContext() throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, "stderr");
        Config previous = Config.install(Config.load(p, Map.of()));
        try (Scope s = Context.bind("Root=1-67891233-abcdef012345678912345678;Self=1-63441c4a-abcdef012345678912345678")) {
            OutgoingHop hop = OutgoingHop.begin("GET", URI.create("http://h:1/p?q"));
            assertEquals(hop, OutgoingHop.current());
            String sent = Outgoing.header(null, 0);
            hop.end();
            assertNull(OutgoingHop.current());
            assertEquals(sent, hop.trace());
            StringBuilder line = new StringBuilder();
            hop.appendTo(line, "svc");
            String self = TraceHeader.self(sent);
            assertEquals(",\"dir\":\"out\",\"svc\":\"svc\",\"root\":\"1-67891233-abcdef012345678912345678\",\"self\":\""
                    + self + "\",\"parent\":\"1-63441c4a-abcdef012345678912345678\",\"method\":\"GET\",\"host\":\"h:1\""
                    + ",\"path\":\"/p\",\"ms\":0.000,\"trace\":\"" + sent + "\"}",
                    line.substring(line.indexOf(",")));
        } finally {
            Config.install(previous);
        }
    }
}

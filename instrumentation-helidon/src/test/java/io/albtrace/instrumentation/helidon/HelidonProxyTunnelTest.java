package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code WebClient} through an HTTP proxy to an {@code https:} origin: the {@code CONNECT} Helidon sends while it
 * connects for the application's call carries no trace header (it is no call of the application's, though it is sent
 * inside one), and the call inside the tunnel carries the context's value, each call its own Self. (The contract's
 * own proxy tests refuse Helidon's CONNECT, which names the origin {@code localhost}: see
 * {@link HelidonClientContractTest}.)
 */
@ExtendWith(InstalledAgent.class)
class HelidonProxyTunnelTest {

    @Test
    void theConnectCarriesNoHeaderTheTunneledCallsEachTheirOwnSelf() throws Exception {
        try (ContractServer origin = new ContractServer(); RawHttpServer proxy = new RawHttpServer()) {
            Object client = WayHelidon.WEBCLIENT.newClient(proxy.address());
            String url = origin.url(true, "/tunneled");
            HttpClientAdapter.Response first;
            HttpClientAdapter.Response second;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                first = WayHelidon.send(WayHelidon.request(client, "GET", url, List.of()));
                second = WayHelidon.send(WayHelidon.request(client, "GET", url, List.of()));
            }
            assertEquals(200, first.status);
            assertEquals(200, second.status);
            List<ContractServer.Received> at = origin.received("/tunneled");
            assertEquals(2, at.size(), at::toString);
            String a = null;
            for (ContractServer.Received r : at) {
                assertTrue(r.secure, "through the tunnel, over TLS");
                assertEquals("HTTP/1.1", r.protocol);
                String self = Trace.self(r.traceHeader(), Trace.CONTEXT);
                assertNotEquals(a, self, "each call its own Self");
                a = self;
            }
            List<RawHttpServer.Head> seen = proxy.heads();
            assertFalse(seen.isEmpty(), "the client went through the proxy");
            for (RawHttpServer.Head h : seen) {
                assertEquals("CONNECT", h.method(), seen::toString);
                assertTrue(h.target().endsWith(":" + origin.port(true)), h::toString);
                assertEquals(List.of(), h.traceHeaders(), () -> "a CONNECT carries no trace header: " + seen);
            }
        }
    }
}

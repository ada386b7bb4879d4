package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import io.albtrace.testing.WebSocketUpgradeServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java.net.http.HttpClient}'s WebSocket opening handshake, with the agent installed. The contract common to
 * every client is {@link JdkClientContractTest}'s.
 */
@ExtendWith(InstalledAgent.class)
class JdkHttpClientTest {

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theWebSocketOpeningHandshakeIsForwarded() throws Exception {
        try (WebSocketUpgradeServer ws = new WebSocketUpgradeServer()) {
            WebSocket socket;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                socket = client.newWebSocketBuilder().header("X-Other", "1")
                        .buildAsync(URI.create(ws.url().replace("http:", "ws:")), new WebSocket.Listener() { })
                        .get(30, TimeUnit.SECONDS);
            }
            try {
                List<String> trace = ws.firstTraceHeaders();
                assertEquals(1, trace.size(), trace.toString());
                Trace.self(trace.get(0), Trace.CONTEXT);
            } finally {
                socket.abort();
            }
        }
    }

    @Test
    void theWebSocketsOwnHeaderWins() throws Exception {
        String own = "Root=" + Trace.ROOT + ";Ws=1";
        try (WebSocketUpgradeServer ws = new WebSocketUpgradeServer()) {
            WebSocket socket = client.newWebSocketBuilder().header(Trace.NAME, own)
                    .buildAsync(URI.create(ws.url().replace("http:", "ws:")), new WebSocket.Listener() { })
                    .get(30, TimeUnit.SECONDS);
            try {
                List<String> trace = ws.firstTraceHeaders();
                assertEquals(1, trace.size(), trace.toString());
                Trace.self(trace.get(0), own);
            } finally {
                socket.abort();
            }
        }
    }
}

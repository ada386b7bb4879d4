package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import io.albtrace.testing.WebSocketUpgradeServer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.Test;

/** SPEC 3: the WebSocket upgrade request is forwarded like any request. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class WebSocketTest extends OkHttpTestSupport {

    @Test
    void theUpgradeRequestCarriesTheForwardedHeader() throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        AtomicReference<Object> failure = new AtomicReference<>();
        AtomicReference<Integer> code = new AtomicReference<>();
        WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                code.set(response.code());
                opened.countDown();
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                failure.set(t);
                opened.countDown();
            }
        };
        try (WebSocketUpgradeServer ws = new WebSocketUpgradeServer()) {
            WebSocket socket;
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                socket = client.newWebSocket(request("/").url(ws.url()).build(), listener);
            }
            try {
                assertTrue(opened.await(10, TimeUnit.SECONDS), "onOpen was not called");
                assertEquals(null, failure.get());
                assertEquals(101, code.get());
                List<String> trace = ws.firstTraceHeaders();
                assertEquals(1, trace.size(), ws.firstRequestHeaders()::toString);
                Trace.self(trace.get(0), Trace.CONTEXT);
            } finally {
                socket.cancel();
            }
        }
    }
}

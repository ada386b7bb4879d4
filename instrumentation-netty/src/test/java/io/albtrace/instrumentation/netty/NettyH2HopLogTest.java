package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.contracts.ContractServer;
import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hop log's {@code out} lines (SPEC 8) of a plain Netty HTTP/2 client ({@link NettyH2Client}: h2c with prior
 * knowledge, a stream per request on one shared connection): many requests in flight together on one connection,
 * each in its own context (a distinct Root and Self), each with its own status, get one line each with their own
 * stream's method, URL, header and status; none mixes with another's.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NettyH2HopLogTest {

    static final int STREAMS = 8;

    @Test
    void concurrentStreamsOnOneConnectionGetOneLineEachWithTheirOwnStatus() throws Exception {
        ContractServer server = new ContractServer();
        CountDownLatch allIn = new CountDownLatch(STREAMS);
        for (int i = 0; i < STREAMS; i++) {
            int status = 200 + i; // 200..207: each stream's own
            server.answer("/s" + i, (r, count) -> {
                allIn.countDown();
                allIn.await(10, TimeUnit.SECONDS); // every stream is in flight before any is answered
                return new ContractServer.Reply(status, Map.of());
            });
        }
        try (NettyH2Client client = new NettyH2Client(1)) {
            client.call(NettyClient.request("GET", server.url(false, "/warm-up"), List.of(), null)); // the connection
            List<String> contexts = new ArrayList<>();
            List<String> lines = ServerEntryContract.withHopLog(NettyHopLogTest.SERVICE, () -> {
                List<CompletableFuture<HttpClientAdapter.Response>> responses = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    String context = String.format("Root=1-63441c4a-%024x;Self=1-63441c4a-%024x", i + 1, i + 101);
                    contexts.add(context);
                    try (Scope s = Context.bind(context)) {
                        responses.add(client.send(NettyClient.request(i % 2 == 0 ? "GET" : "POST",
                                server.url(false, "/s" + i + "?q=" + i), List.of(), i % 2 == 0 ? null : "body")));
                    }
                }
                for (int i = 0; i < STREAMS; i++) {
                    assertEquals(200 + i, responses.get(i).get(30, TimeUnit.SECONDS).status);
                }
            }, file -> ServerEntryContract.hopLines(file, STREAMS, "out", l -> true));
            String host = "127.0.0.1:" + server.port(false);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                ContractServer.Received received = server.received("/s" + i).get(0);
                assertEquals("HTTP/2.0", received.protocol, "over h2c");
                String trace = received.traceHeader();
                Trace.assertForwarded("Root=" + Trace.rootOf(contexts.get(i)) + ";Self={NEW}", contexts.get(i), trace);
                expected.add(NettyHopLogTest.line(trace, io.albtrace.core.TraceHeader.self(contexts.get(i)),
                        i % 2 == 0 ? "GET" : "POST", host, "/s" + i, 200 + i));
            }
            List<String> sorted = new ArrayList<>(lines);
            sorted.sort(java.util.Comparator.comparingInt(l -> l.indexOf("\"path\":\"/s") < 0 ? -1
                    : l.charAt(l.indexOf("\"path\":\"/s") + 10) - '0'));
            assertEquals(expected, sorted);
            assertEquals(1, client.connections(), "every stream on the one connection");
        } finally {
            server.close();
        }
    }
}

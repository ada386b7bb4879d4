package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.core.TraceHeader;
import io.albtrace.testing.Trace;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hop log's {@code out} lines (SPEC 8) of a plain Netty client, which the client contract leaves out (a Netty
 * request exists only once written on a connected channel, so a refused connection has none): one line per request,
 * with its exact fields, outside any context, in one that came with a Self and in one without; the path without its
 * query; the status of the response.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NettyHopLogTest {

    static final String SERVICE = "netty-client";
    static final String PARENT_SELF = "1-63441c4a-abcdef012345678912345678";

    @Test
    void oneOutLinePerRequestWithItsExactFields() throws Exception {
        Map<String, String> received = new ConcurrentHashMap<>();
        try (NettyServer back = new NettyServer(1, (ctx, request) -> {
            received.put(request.uri(), request.headers().get(Trace.NAME));
            NettyServer.respond(ctx, request, request.uri().startsWith("/missing") ? 404 : 200, "ok");
        }); NettyClient client = new NettyClient(1)) {
            String withSelf = "Root=" + Trace.ROOT + ";Self=" + PARENT_SELF + ";CalledFrom=app";
            List<String> lines = ServerEntryContract.withHopLog(SERVICE, () -> {
                client.call(NettyClient.request("GET", back.url("/plain?secret=1"), List.of(), null));
                try (Scope s = Context.bind(withSelf)) {
                    client.call(NettyClient.request("GET", back.url("/with-self"), List.of(), null));
                }
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    client.call(NettyClient.request("POST", back.url("/missing"), List.of(), "body"));
                }
            }, file -> ServerEntryContract.hopLines(file, 3, "out", l -> true));
            String host = "127.0.0.1:" + back.port();
            assertEquals(List.of(
                    line(received.get("/plain?secret=1"), null, "GET", host, "/plain", 200),
                    line(received.get("/with-self"), PARENT_SELF, "GET", host, "/with-self", 200),
                    line(received.get("/missing"), "", "POST", host, "/missing", 404)), lines);
            Trace.assertForwarded("Root={NEW}", null, received.get("/plain?secret=1"));
            Trace.assertForwarded("Root=" + Trace.ROOT + ";Self={NEW};CalledFrom=app", withSelf,
                    received.get("/with-self"));
        }
    }

    /** The {@code out} line SPEC 8 asks for a request that sent {@code trace}. */
    static String line(String trace, String parent, String method, String hostPort, String path, int status) {
        String self = TraceHeader.self(trace);
        return "{\"ts\":TS,\"dir\":\"out\",\"svc\":\"" + SERVICE + "\",\"root\":\"" + Trace.rootOf(trace) + "\""
                + (self == null ? "" : ",\"self\":\"" + self + "\"")
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
                + ",\"method\":\"" + method + "\",\"host\":\"" + hostPort + "\",\"path\":\"" + path + "\""
                + ",\"status\":" + status + ",\"ms\":MS,\"trace\":\"" + trace + "\"}";
    }
}

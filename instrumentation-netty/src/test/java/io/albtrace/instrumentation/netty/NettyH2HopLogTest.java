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
 * stream's method, URL, header and status; none mixes with another's. The same through
 * {@code HttpToHttp2ConnectionHandler}.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class NettyH2HopLogTest {

    static final int STREAMS = 8;

    @Test
    void concurrentStreamsOnOneConnectionGetOneLineEachWithTheirOwnStatus() throws Exception {
        ContractServer server = answering();
        try (NettyH2Client client = new NettyH2Client(1)) {
            client.call(NettyClient.request("GET", server.url(false, "/warm-up"), List.of(), null)); // the connection
            List<String> contexts = new ArrayList<>();
            List<String> lines = ServerEntryContract.withHopLog(NettyHopLogTest.SERVICE, () -> {
                List<CompletableFuture<HttpClientAdapter.Response>> responses = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    String context = context(i);
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
            assertOneLineEach(server, contexts, lines);
            assertEquals(1, client.connections(), "every stream on the one connection");
        } finally {
            server.close();
        }
    }

    /**
     * The same through Netty's other HTTP/2 client API: {@code HttpToHttp2ConnectionHandler} on the connection, the
     * application writing {@code FullHttpRequest}s with their stream ids, {@code InboundHttp2ToHttpAdapter} giving the
     * responses back by stream id (Netty's own HTTP/2 client example), each request written from its own context.
     */
    @Test
    @SuppressWarnings("deprecation") // NioEventLoopGroup: the one group both 4.1 and 4.2 have
    void httpToHttp2ConnectionHandlerStreamsGetOneLineEachWithTheirOwnStatus() throws Exception {
        ContractServer server = answering();
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        Map<Integer, CompletableFuture<Integer>> byStream = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            io.netty.handler.codec.http2.Http2Connection connection =
                    new io.netty.handler.codec.http2.DefaultHttp2Connection(false);
            io.netty.channel.Channel channel = new io.netty.bootstrap.Bootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                            ch.pipeline().addLast(new io.netty.handler.codec.http2.HttpToHttp2ConnectionHandlerBuilder()
                                    .connection(connection)
                                    .frameListener(new io.netty.handler.codec.http2.InboundHttp2ToHttpAdapterBuilder(
                                            connection).maxContentLength(1 << 20).propagateSettings(false).build())
                                    .build(), new io.netty.channel.SimpleChannelInboundHandler<
                                            io.netty.handler.codec.http.FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx,
                                                io.netty.handler.codec.http.FullHttpResponse r) {
                                            int stream = r.headers().getInt(io.netty.handler.codec.http2.HttpConversionUtil
                                                    .ExtensionHeaderNames.STREAM_ID.text());
                                            byStream.get(stream).complete(r.status().code());
                                        }
                                    });
                        }
                    }).connect("127.0.0.1", server.port(false)).sync().channel();
            List<String> contexts = new ArrayList<>();
            List<String> lines = ServerEntryContract.withHopLog(NettyHopLogTest.SERVICE, () -> {
                List<CompletableFuture<Integer>> responses = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    String context = context(i);
                    contexts.add(context);
                    CompletableFuture<Integer> response = new CompletableFuture<>();
                    responses.add(response);
                    io.netty.handler.codec.http.FullHttpRequest request = NettyClient.request(
                            i % 2 == 0 ? "GET" : "POST", server.url(false, "/s" + i + "?q=" + i), List.of(),
                            i % 2 == 0 ? null : "body");
                    request.headers().set(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames
                            .SCHEME.text(), "http");
                    try (Scope s = Context.bind(context)) {
                        // the application's task on the connection's loop: takes the next stream id and writes
                        channel.eventLoop().execute(() -> {
                            int stream = connection.local().incrementAndGetNextStreamId();
                            byStream.put(stream, response);
                            request.headers().setInt(io.netty.handler.codec.http2.HttpConversionUtil
                                    .ExtensionHeaderNames.STREAM_ID.text(), stream);
                            channel.writeAndFlush(request);
                        });
                    }
                }
                for (int i = 0; i < STREAMS; i++) {
                    assertEquals(200 + i, responses.get(i).get(30, TimeUnit.SECONDS));
                }
            }, file -> ServerEntryContract.hopLines(file, STREAMS, "out", l -> true));
            assertOneLineEach(server, contexts, lines);
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            server.close();
        }
    }

    /** The context of request {@code i}: a Root and a Self of its own. */
    private static String context(int i) {
        return String.format("Root=1-63441c4a-%024x;Self=1-63441c4a-%024x", i + 1, i + 101);
    }

    /** A server answering {@code /s<i>} with status {@code 200 + i} once all {@link #STREAMS} requests are in. */
    private static ContractServer answering() throws Exception {
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
        return server;
    }

    /** One line per request {@code /s<i>}, with its own method, path, status and the header the server received. */
    private static void assertOneLineEach(ContractServer server, List<String> contexts, List<String> lines) {
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
    }
}

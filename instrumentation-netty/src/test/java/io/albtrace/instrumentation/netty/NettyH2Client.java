package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.HttpClientAdapter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty HTTP/2 client in clear text with prior knowledge (h2c), as an application writes one with Netty's
 * child-channel API: one connection per origin ({@code Http2FrameCodec} and {@code Http2MultiplexHandler}), kept and
 * shared by every request to it, each request on a stream channel of its own ({@code Http2StreamChannelBootstrap})
 * whose {@code Http2StreamFrameToHttpObjectCodec} turns the application's {@code FullHttpRequest} into HEADERS and
 * DATA frames. Many requests are in flight on one connection at once.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the one group both 4.1 and 4.2 have
final class NettyH2Client implements AutoCloseable {

    final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<String, Future<Channel>> connections = new HashMap<>();
    private int opened;

    NettyH2Client(int loops) {
        group = new NioEventLoopGroup(loops);
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                });
    }

    /** The connection to {@code host:port}, connected once and shared; a failed one is tried again next time. */
    private synchronized Future<Channel> connection(String hostPort) {
        Future<Channel> c = connections.get(hostPort);
        if (c != null && (!c.isDone() || c.isSuccess() && c.getNow().isActive())) {
            return c;
        }
        opened++;
        int colon = hostPort.lastIndexOf(':');
        io.netty.util.concurrent.Promise<Channel> connected = group.next().newPromise();
        bootstrap.connect(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
                .addListener((io.netty.channel.ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        connected.setSuccess(f.channel());
                    } else {
                        connected.setFailure(f.cause());
                    }
                });
        connections.put(hostPort, connected);
        return connected;
    }

    /**
     * Opens a stream on the request's origin's connection and writes the request on it, in the listeners of the
     * connection's and the stream's futures (Netty's usual way); the returned future completes with the response, or
     * the failure. {@code request} is made by {@link NettyClient#request}: its {@code Host} names the origin.
     */
    CompletableFuture<HttpClientAdapter.Response> send(FullHttpRequest request) {
        CompletableFuture<HttpClientAdapter.Response> response = new CompletableFuture<>();
        Future<Channel> connection = connection(request.headers().get(HttpHeaderNames.HOST));
        if (connection.isDone()) {
            // connected: the stream is opened from here (a listener on the shared connection's future would be one
            // of many added in different contexts, which run with none)
            open(connection, request, response);
        } else {
            connection.addListener((GenericFutureListener<Future<Channel>>) c -> open(c, request, response));
        }
        return response;
    }

    /** Opens a stream on {@code c}'s connection and writes {@code request} on it. */
    private static void open(Future<Channel> c, FullHttpRequest request,
            CompletableFuture<HttpClientAdapter.Response> response) {
        if (!c.isSuccess()) {
            request.release();
            response.completeExceptionally(c.cause());
            return;
        }
        new Http2StreamChannelBootstrap(c.getNow()).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                        new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                response.complete(new HttpClientAdapter.Response(r.status().code(),
                                        r.content().toString(StandardCharsets.UTF_8)));
                                ctx.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                response.completeExceptionally(cause);
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                response.completeExceptionally(new java.io.IOException("stream closed"));
                            }
                        });
            }
        }).open().addListener((GenericFutureListener<Future<Http2StreamChannel>>) s -> {
            if (!s.isSuccess()) {
                request.release();
                response.completeExceptionally(s.cause());
                return;
            }
            s.getNow().writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    response.completeExceptionally(w.cause());
                }
            });
        });
    }

    /** How many connections were opened. */
    synchronized int connections() {
        return opened;
    }

    /** {@link #send} and the response, waited for. */
    HttpClientAdapter.Response call(FullHttpRequest request) throws Exception {
        try {
            return send(request).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    @Override
    public void close() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}

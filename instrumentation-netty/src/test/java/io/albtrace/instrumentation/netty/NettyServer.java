package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A plain Netty HTTP/1.1 server on 127.0.0.1, as an application writes one: {@code HttpServerCodec}, an aggregator,
 * and the application's handler, which answers each {@code FullHttpRequest} on the event loop with what
 * {@code app} gives ({@link #respond}).
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the one group both 4.1 and 4.2 have
final class NettyServer implements AutoCloseable {

    /** What the application does with a request: answers it through {@link #respond}, now or later. */
    interface App {
        void handle(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception;
    }

    final EventLoopGroup boss = new NioEventLoopGroup(1);
    final EventLoopGroup workers;
    final Channel channel;

    NettyServer(int loops, App app) throws InterruptedException {
        workers = new NioEventLoopGroup(loops);
        channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // headers up to 1 MB: the contract sends 60 KB ones (Netty's default bound is 8 KB)
                        ch.pipeline().addLast(new HttpServerCodec(4096, 1 << 20, 8192), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request)
                                            throws Exception {
                                        app.handle(ctx, request);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    /** The contract's application ({@link ServerEntryContract#serve}), on the event loop; a throw is a 500. */
    static NettyServer contract() throws InterruptedException {
        return new NettyServer(4, (ctx, request) -> {
            String path = request.uri();
            int q = path.indexOf('?');
            try {
                respond(ctx, request, 200, ServerEntryContract.serve(q < 0 ? path : path.substring(0, q)));
            } catch (Exception e) {
                respond(ctx, request, 500, String.valueOf(e));
            }
        });
    }

    /** Writes a text/plain response of {@code body}; keeps the connection unless the request asked to close it. */
    static void respond(ChannelHandlerContext ctx, FullHttpRequest request, int status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        write(ctx, response, keepAlive);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /**
     * What each event loop of {@code group} holds now, as {@link ServerEntryContract#observe()} gives it, read by a
     * task submitted from a thread with no context bound.
     */
    static List<String> threadsOf(EventLoopGroup group) throws Exception {
        List<String> all = new ArrayList<>();
        try (Scope none = Context.bind(null)) {
            for (EventExecutor loop : group) {
                all.add(loop.submit(ServerEntryContract::observe).get(10, TimeUnit.SECONDS));
            }
        }
        return all;
    }

    @Override
    public void close() throws Exception {
        channel.close().sync();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}

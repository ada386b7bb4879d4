package io.albtrace.instrumentation.netty;

import io.albtrace.contracts.HttpClientAdapter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty HTTP/1.1 client, as an application writes one: a {@code Bootstrap} with {@code HttpClientCodec}, an
 * aggregator and a handler that completes the request's future; a request is a {@code FullHttpRequest} written to a
 * new connection ({@link #send}), from the calling thread or from wherever the caller is (an event loop).
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the one group both 4.1 and 4.2 have
final class NettyClient implements AutoCloseable {

    static final AttributeKey<CompletableFuture<HttpClientAdapter.Response>> RESPONSE =
            AttributeKey.valueOf("test.response");

    final EventLoopGroup group;
    private final boolean ownGroup;
    private final Bootstrap bootstrap;

    NettyClient(int loops) {
        this(new NioEventLoopGroup(loops), true);
    }

    /** A client on {@code group} (a server's own event loops, as a proxy or a gateway shares them). */
    NettyClient(EventLoopGroup group, boolean ownGroup) {
        this.group = group;
        this.ownGroup = ownGroup;
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        ctx.channel().attr(RESPONSE).get().complete(new HttpClientAdapter.Response(
                                                r.status().code(), r.content().toString(StandardCharsets.UTF_8)));
                                        ctx.close();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.channel().attr(RESPONSE).get().completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                });
    }

    /** The application's request: the method, the path, {@code Host}, the headers in order, a body for a POST. */
    static FullHttpRequest request(String method, String url, List<String> headers, String body) {
        URI uri = URI.create(url);
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        // headers not validated: the contract's vectors include values Netty would refuse from the application
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), content, false);
        request.headers().set(HttpHeaderNames.HOST, uri.getHost() + ":" + uri.getPort());
        for (int i = 0; i < headers.size(); i += 2) {
            request.headers().add(headers.get(i), headers.get(i + 1));
        }
        if (body != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        }
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return request;
    }

    /**
     * Connects to the request's origin and, once connected, writes the request, in the connect future's listener on
     * the event loop (Netty's usual way); the returned future completes with the response, or the failure.
     */
    CompletableFuture<HttpClientAdapter.Response> send(FullHttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        int colon = host.lastIndexOf(':');
        CompletableFuture<HttpClientAdapter.Response> response = new CompletableFuture<>();
        bootstrap.connect(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1)))
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        request.release();
                        response.completeExceptionally(connected.cause());
                        return;
                    }
                    connected.channel().attr(RESPONSE).set(response);
                    connected.channel().writeAndFlush(request);
                });
        return response;
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
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}

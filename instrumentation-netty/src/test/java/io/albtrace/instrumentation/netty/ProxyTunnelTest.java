package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.proxy.HttpProxyHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Netty client through an HTTP proxy (Netty's {@code HttpProxyHandler}, which Reactor Netty's {@code proxy()}
 * uses): the tunnel's {@code CONNECT}, written by the proxy handler's own HTTP codec, is the client's, not the
 * application's request, and carries no trace header (as with every other client); the request sent through the
 * tunnel carries the context's.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ProxyTunnelTest {

    @Test
    void theTunnelsConnectCarriesNoHeaderTheRequestThroughItDoes() throws Exception {
        List<String> heads = new ArrayList<>();
        NioEventLoopGroup loops = new NioEventLoopGroup(1);
        try (ServerSocket proxy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // the proxy: answers the CONNECT, then plays the origin on the tunnel
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = proxy.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    heads.add(head(in));
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    heads.add(head(in));
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().read(); // until the client closes
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Integer> status = new CompletableFuture<>();
            Bootstrap bootstrap = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                    .resolver(io.netty.resolver.NoopAddressResolverGroup.INSTANCE) // the proxy resolves the origin
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpProxyHandler(new InetSocketAddress(
                                            InetAddress.getLoopbackAddress(), proxy.getLocalPort())),
                                    new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                    new SimpleChannelInboundHandler<FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                            status.complete(r.status().code());
                                            ctx.close();
                                        }
                                    });
                        }
                    });
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                Channel channel = bootstrap.connect(InetSocketAddress.createUnresolved("origin.example", 80))
                        .sync().channel();
                channel.writeAndFlush(NettyClient.request("GET", "http://origin.example:80/through", List.of(),
                        null));
            }
            assertEquals(200, status.get(10, TimeUnit.SECONDS));
            served.get(10, TimeUnit.SECONDS);
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertTrue(heads.get(0).startsWith("CONNECT origin.example:80 "), heads.get(0));
        assertTrue(!heads.get(0).toLowerCase().contains("x-amzn-trace-id"), "the CONNECT carries no trace header: "
                + heads.get(0));
        assertTrue(heads.get(1).startsWith("GET /through "), heads.get(1));
        String value = null;
        for (String line : heads.get(1).split("\r\n")) {
            if (line.toLowerCase().startsWith("x-amzn-trace-id:")) {
                value = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        Trace.self(value, Trace.CONTEXT);
    }

    /** A request head, up to its blank line. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in a head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}

package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingHop;
import io.albtrace.core.ServerEntry;
import io.albtrace.core.ServerRequests;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code AbstractChannelHandlerContext.fireChannelRead(Object)}: where a decoder hands what it decoded to the handlers
 * after it, which run inside that call (the same event loop, synchronously). So a request's handlers run inside the
 * decoder's {@code fireChannelRead} of that request's head and of each piece of its body, and that is where its
 * context is bound:
 * <ul>
 *   <li>a request head ({@code HttpRequest}) fired by the HTTP/1.1 server codec ({@code HttpServerCodec},
 *       {@code HttpRequestDecoder}) or by an HTTP/2 stream's {@code Http2StreamFrameToHttpObjectCodec} (named, not
 *       linked: an application without HTTP/2 is not asked for it) enters the request
 *       ({@link ServerEntry#enter}: the incoming header, the MDC, the hop log line) and queues it on its channel;</li>
 *   <li>a piece of its body ({@code HttpContent}) fired by the same decoder binds the context of the request being
 *       read, the last one queued ({@link ServerEntry#resume});</li>
 *   <li>anything fired inside (an aggregator's {@code FullHttpRequest}, a handler passing the request on) is nested
 *       and binds nothing more.</li>
 * </ul>
 * Each request on a connection, kept-alive or pipelined, gets its own entry; HTTP/1.1 answers them in order, so the
 * response encoder ends the first one queued ({@link HttpObjectEncoderInstrumentation}). On the client side, a
 * response head fired by {@code HttpClientCodec} or {@code HttpResponseDecoder} ends the hop log line of the first
 * request the channel sent.
 */
public final class ChannelHandlerContextInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.channel.AbstractChannelHandlerContext";
    /** The channel attribute holding the requests a server channel is serving, in order. */
    static final String SERVER_REQUESTS = "io.albtrace.netty.server";
    /** The channel attribute holding the hop log lines of the requests a client channel sent, in order. */
    static final String CLIENT_HOPS = "io.albtrace.netty.client";
    /** The channel attribute of an HTTP/2 client connection: its streams' hop log lines, by stream id. */
    static final String CLIENT_STREAMS = "io.albtrace.netty.client.h2";
    /**
     * What a Reactor Netty call's hop log line is attached with until a response gives it a status (then the status
     * itself): the line ends with the call ({@link ReactorNettyClientInstrumentation}), not with a response.
     */
    static final String CALL_HOP = "io.albtrace.netty.call";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("fireChannelRead").and(takesArguments(1)).and(takesArgument(0, Object.class)),
                ChannelHandlerContextInstrumentation.class.getName() + "$FireChannelReadAdvice");
        target.applyAdvice(named("fireChannelInactive").and(takesArguments(0)),
                ChannelHandlerContextInstrumentation.class.getName() + "$FireChannelInactiveAdvice");
    }

    /** Enters (or resumes) the request whose head or body a server decoder hands on; leaves it after. */
    public static final class FireChannelReadAdvice {

        private FireChannelReadAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static ServerEntry enter(@Advice.This ChannelHandlerContext ctx, @Advice.Argument(0) Object msg) {
            if (!(msg instanceof HttpObject)) {
                return null;
            }
            ChannelHandler handler = ctx.handler();
            if (msg instanceof HttpResponse) {
                // a client's response head: the hop log line of the request it answers ends (not an interim 1xx)
                if (handler instanceof HttpClientCodec || handler instanceof HttpResponseDecoder) {
                    int status = ((HttpResponse) msg).status().code();
                    if (status >= 200) {
                        ArrayDeque<Object> hops = (ArrayDeque<Object>) ctx.channel()
                                .attr(AttributeKey.valueOf(CLIENT_HOPS)).get();
                        Object hop = hops == null ? null : hops.pollFirst();
                        if (hop != null) {
                            if (((OutgoingHop) hop).attachment() != null) {
                                ((OutgoingHop) hop).attach(status); // a Reactor Netty call's: ends with the call
                            } else {
                                ((OutgoingHop) hop).finish(status);
                            }
                        }
                    }
                }
                return null;
            }
            if (ServerEntry.inside()) {
                return null; // a handler inside the request's own read passing it on
            }
            if (!(handler instanceof HttpServerCodec || handler instanceof HttpRequestDecoder
                    || handler.getClass().getName().equals(
                    "io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec"))) {
                if (msg instanceof HttpRequest) {
                    // a head the codec decoded, handed on later by a handler that held it back (Reactor Netty queues
                    // pipelined requests until the one before is answered): its own context, over whatever is bound
                    ServerRequests held = (ServerRequests) ctx.channel().attr(AttributeKey.valueOf(SERVER_REQUESTS))
                            .get();
                    return held == null ? null
                            : ServerEntry.resume(held.contextOf(msg), handler.getClass().getClassLoader());
                }
                return null;
            }
            Channel channel = ctx.channel();
            ServerRequests requests = (ServerRequests) channel.attr(AttributeKey.valueOf(SERVER_REQUESTS)).get();
            if (!(msg instanceof HttpRequest)) {
                // a piece of the body of the request being read
                return requests == null ? null
                        : ServerEntry.resume(requests.reading(), handler.getClass().getClassLoader());
            }
            HttpRequest request = (HttpRequest) msg;
            ServerEntry entry = ServerEntry.enter(request.headers().get(TraceHeader.NAME),
                    handler.getClass().getClassLoader(), null, true);
            if (entry == null) {
                return null;
            }
            if (entry.logsHop()) {
                String uri = request.uri();
                int query = uri.indexOf('?');
                SocketAddress local = channel.localAddress();
                entry.request(request.method().name(), request.headers().get("Host"),
                        local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : -1,
                        query < 0 ? uri : uri.substring(0, query));
            }
            if (requests == null) {
                requests = new ServerRequests();
                channel.attr(AttributeKey.valueOf(SERVER_REQUESTS)).set(requests);
            }
            requests.add(entry, request);
            return entry;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter ServerEntry entry) {
            if (entry != null) {
                entry.close();
            }
        }
    }

    /**
     * The channel closed: the requests it sent that got no response (HTTP/1.1, or HTTP/2 streams), and the requests it
     * received that got none, end without a status (their hop log lines are written). The first handler told empties the queues.
     */
    public static final class FireChannelInactiveAdvice {

        private FireChannelInactiveAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static void enter(@Advice.This ChannelHandlerContext ctx) {
            Channel channel = ctx.channel();
            if (channel.hasAttr(AttributeKey.valueOf(CLIENT_HOPS))) {
                ArrayDeque<Object> hops = (ArrayDeque<Object>) channel.attr(AttributeKey.valueOf(CLIENT_HOPS)).get();
                for (Object hop; hops != null && (hop = hops.pollFirst()) != null; ) {
                    if (((OutgoingHop) hop).attachment() == null) { // a Reactor Netty call's ends with the call
                        ((OutgoingHop) hop).finish(-1);
                    }
                }
            }
            if (channel.hasAttr(AttributeKey.valueOf(CLIENT_STREAMS))) {
                java.util.HashMap<Integer, Object> streams = (java.util.HashMap<Integer, Object>) channel
                        .attr(AttributeKey.valueOf(CLIENT_STREAMS)).get();
                if (streams != null) {
                    for (Object hop : streams.values()) {
                        if (((OutgoingHop) hop).attachment() == null) {
                            ((OutgoingHop) hop).finish(-1);
                        }
                    }
                    streams.clear();
                }
            }
            if (channel.hasAttr(AttributeKey.valueOf(SERVER_REQUESTS))) {
                ServerRequests requests = (ServerRequests) channel.attr(AttributeKey.valueOf(SERVER_REQUESTS)).get();
                if (requests != null) {
                    requests.closed();
                }
            }
        }
    }
}

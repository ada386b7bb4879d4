package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.HeaderScan;
import io.albtrace.core.Outgoing;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.ServerRequests;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectEncoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * {@code HttpObjectEncoder.encode(ChannelHandlerContext, Object, List)}: every HTTP/1.1 message Netty writes, the
 * server's responses ({@code HttpResponseEncoder}, {@code HttpServerCodec}'s) and the client's requests
 * ({@code HttpRequestEncoder}, {@code HttpClientCodec}'s), before its bytes are made.
 * <ul>
 *   <li>A client's request head gets its one trace header here (SPEC 3, 5): forwarded from the application's own,
 *       if it set one, else from the context bound where the request is encoded, which is the context of the code
 *       that wrote it (on the event loop, in a request's handler; from another thread, the write is a task that
 *       carried that thread's context: {@link EventExecutorInstrumentation}); the size rule counts every header the
 *       request goes out with. Copies are replaced by the one value. Its hop log {@code out} line starts here and
 *       ends with the response head ({@link ChannelHandlerContextInstrumentation}).</li>
 *   <li>A server's response head: its status is kept for the request it answers (the first queued on the channel),
 *       with {@code albtrace.response.header=true} the response gets {@code X-Amzn-Trace-Id: Root=<root>}; the
 *       response's last content ends that request's hop log line. An interim {@code 1xx} changes nothing; a
 *       {@code 101} (the connection switches protocol, to HTTP/2 or a WebSocket) ends the request without a line
 *       for HTTP/1.1 (an HTTP/2 upgrade's request is served again on its stream).</li>
 * </ul>
 */
public final class HttpObjectEncoderInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.handler.codec.http.HttpObjectEncoder";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("encode").and(takesArguments(3))
                        .and(takesArgument(0, named("io.netty.channel.ChannelHandlerContext")))
                        .and(takesArgument(1, Object.class)).and(takesArgument(2, List.class)),
                HttpObjectEncoderInstrumentation.class.getName() + "$EncodeAdvice");
        target.applyAdvice(named("encode").and(takesArguments(3))
                        .and(takesArgument(0, named("io.netty.channel.ChannelHandlerContext")))
                        .and(takesArgument(1, Object.class)).and(takesArgument(2, List.class)),
                HttpObjectEncoderInstrumentation.class.getName() + "$ServerResponseAdvice");
    }

    /** The client's header and hop line. */
    public static final class EncodeAdvice {

        private EncodeAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static void enter(@Advice.This Object encoder, @Advice.Argument(0) ChannelHandlerContext ctx,
                @Advice.Argument(1) Object msg) {
            if (msg instanceof HttpRequest && encoder instanceof HttpRequestEncoder) {
                HttpRequest request = (HttpRequest) msg;
                if ("CONNECT".equals(request.method().name())) {
                    return; // a tunnel through a proxy (Netty's HttpProxyHandler): not the application's request
                }
                HttpHeaders headers = request.headers();
                HeaderScan scan = HeaderScan.http1();
                for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
                    Map.Entry<String, String> header = it.next();
                    scan.add(header.getKey(), header.getValue());
                }
                OutgoingCall call = OutgoingCall.current(); // a Reactor Netty request: its first send's value
                String value = call != null ? call.forward(scan.first())
                        : Outgoing.header(scan.first(), (int) scan.otherBytes());
                value = Outgoing.onWire(value, scan.otherBytes() + TraceHeader.lineBytes(TraceHeader.NAME, value));
                headers.set(TraceHeader.NAME, value);
                // the request's hop log line, or its call's (a Reactor Netty request: one line for all its sends)
                OutgoingHop hop = call != null ? call.hop() : null;
                if (hop == null) {
                    String uri = request.uri();
                    hop = OutgoingHop.of(call != null ? call.context() : Context.current(), request.method().name(),
                            uri.startsWith("/") ? (ctx.pipeline().get(SslHandler.class) != null ? "https://"
                                    : "http://") + headers.get("Host") + uri : uri);
                    if (hop != null) {
                        hop.start();
                        if (call != null) {
                            hop.attach(ChannelHandlerContextInstrumentation.CALL_HOP); // ends with the call
                            call.hop(hop);
                        }
                    }
                } else if (hop.attachment() instanceof Integer) {
                    hop.attach(ChannelHandlerContextInstrumentation.CALL_HOP); // a later send: its status is to come
                }
                if (hop != null) {
                    hop.sent(value);
                    io.netty.util.Attribute<Object> attr = ctx.channel()
                            .attr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_HOPS));
                    ArrayDeque<Object> hops = (ArrayDeque<Object>) attr.get();
                    if (hops == null) {
                        hops = new ArrayDeque<>(2);
                        attr.set(hops);
                    }
                    hops.addLast(hop);
                }
            }
        }
    }

    /**
     * A server's response: the status of its head for the request it answers (the first queued on the channel), the
     * response header when asked for, and its last content ending that request ({@link ServerRequests}). Also put on
     * {@code Http2StreamFrameToHttpObjectCodec}'s {@code encode} (an HTTP/2 stream's response).
     */
    public static final class ServerResponseAdvice {

        private ServerResponseAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object codec, @Advice.Argument(0) ChannelHandlerContext ctx,
                @Advice.Argument(1) Object msg) {
            if (!(msg instanceof HttpResponse || msg instanceof LastHttpContent)
                    || codec instanceof HttpObjectEncoder && !(codec instanceof HttpResponseEncoder)) {
                return;
            }
            ServerRequests requests = (ServerRequests) ctx.channel()
                    .attr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.SERVER_REQUESTS)).get();
            if (requests == null) {
                return;
            }
            if (msg instanceof HttpResponse) {
                HttpResponse response = (HttpResponse) msg;
                String header = requests.responded(response.status().code());
                if (header != null) {
                    response.headers().set(TraceHeader.NAME, header);
                }
            }
            if (msg instanceof LastHttpContent) {
                requests.completed();
            }
        }
    }
}

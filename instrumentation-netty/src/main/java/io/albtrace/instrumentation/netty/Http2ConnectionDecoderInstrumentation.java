package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AttributeKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code DefaultHttp2ConnectionDecoder.FrameReadListener}: every HEADERS and RST_STREAM frame an HTTP/2 connection
 * reads, whichever codec is above it. On a client connection, the response HEADERS of a stream the client sent a
 * request on ({@link Http2ConnectionEncoderInstrumentation} kept its hop log line on the channel, by stream id) end
 * that line with the response's status, when final (an interim {@code 1xx} and trailers change nothing); a reset
 * stream ends it without one. A Reactor Netty request's line, kept with its call, takes the status and ends with the
 * call ({@link ReactorNettyClientInstrumentation}): a redirect's response is not the call's last.
 */
public final class Http2ConnectionDecoderInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder$FrameReadListener";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("onHeadersRead").and(takesArguments(8)),
                Http2ConnectionDecoderInstrumentation.class.getName() + "$HeadersReadAdvice");
        target.applyAdvice(named("onRstStreamRead").and(takesArguments(3)),
                Http2ConnectionDecoderInstrumentation.class.getName() + "$RstStreamReadAdvice");
    }

    /** A stream's response head: its line's status (before the stream's handlers see the response). */
    public static final class HeadersReadAdvice {

        private HeadersReadAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static void enter(@Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(1) int streamId,
                @Advice.Argument(2) Http2Headers headers) {
            Channel channel = ctx.channel();
            if (!channel.hasAttr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_STREAMS))) {
                return; // a server's connection, or a client's that sent nothing the hop log keeps
            }
            CharSequence status = headers.status();
            if (status == null || status.length() != 3) {
                return; // trailers
            }
            int code = 0;
            for (int i = 0; i < 3; i++) {
                char c = status.charAt(i);
                if (c < '0' || c > '9') {
                    return;
                }
                code = code * 10 + (c - '0');
            }
            if (code < 200) {
                return; // interim
            }
            HashMap<Integer, Object> streams = (HashMap<Integer, Object>) channel
                    .attr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_STREAMS)).get();
            Object hop = streams == null ? null : streams.remove(streamId);
            if (hop != null) {
                OutgoingHop h = (OutgoingHop) hop;
                if (h.attachment() != null) {
                    h.attach(code); // a Reactor Netty call's: it ends with the call
                } else {
                    h.finish(code);
                }
            }
        }
    }

    /** The server reset a stream: its line ends without a status (a Reactor Netty call's ends with the call). */
    public static final class RstStreamReadAdvice {

        private RstStreamReadAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static void enter(@Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(1) int streamId) {
            Channel channel = ctx.channel();
            if (!channel.hasAttr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_STREAMS))) {
                return;
            }
            HashMap<Integer, Object> streams = (HashMap<Integer, Object>) channel
                    .attr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_STREAMS)).get();
            Object hop = streams == null ? null : streams.remove(streamId);
            if (hop != null && ((OutgoingHop) hop).attachment() == null) {
                ((OutgoingHop) hop).finish(-1);
            }
        }
    }
}

package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.HeaderScan;
import io.albtrace.core.Outgoing;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * {@code DefaultHttp2ConnectionEncoder.writeHeaders0}: every HEADERS frame an HTTP/2 connection writes, whichever
 * codec made it ({@code Http2FrameCodec} and its {@code DefaultHttp2HeadersFrame}, {@code HttpToHttp2ConnectionHandler},
 * {@code Http2StreamFrameToHttpObjectCodec} on a stream channel: Reactor Netty's HTTP/2 client). On a client
 * connection, a request's headers (the ones with {@code :method}; not trailers) get their one trace header (SPEC 3,
 * 5), as {@link HttpObjectEncoderInstrumentation} does for HTTP/1.1: from the application's own, else from the
 * context bound where the headers are written (the writer's: {@link EventExecutorInstrumentation}), with the size rule
 * over the headers sent on the stream (pseudo-headers and the connection-specific ones left out). Copies are
 * replaced by one, named in lower case as HTTP/2 requires.
 *
 * <p>Its hop log {@code out} line (SPEC 8) starts here: the request's own, kept on the connection's channel by its
 * stream id (many streams are in flight on one connection), until the stream's response HEADERS with a final status
 * ({@link Http2ConnectionDecoderInstrumentation}), a reset of the stream, or the connection's close. A Reactor Netty
 * request's sends (its first, a redirect, a retry) share one line, kept with its call ({@link OutgoingCall#hop}),
 * which each response gives its status to and which ends when the call does ({@link ReactorNettyClientInstrumentation}).
 */
public final class Http2ConnectionEncoderInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder";
    /** The header's name as HTTP/2 sends it. */
    static final String LOWER_CASE_NAME = "x-amzn-trace-id";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeHeaders0").and(takesArguments(10)),
                Http2ConnectionEncoderInstrumentation.class.getName() + "$WriteHeadersAdvice");
    }

    /** A client's request headers get the trace header. */
    public static final class WriteHeadersAdvice {

        private WriteHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static void enter(@Advice.This DefaultHttp2ConnectionEncoder encoder,
                @Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(1) int streamId,
                @Advice.Argument(2) Http2Headers headers) {
            if (headers.method() == null || encoder.connection().isServer()) {
                return;
            }
            HeaderScan scan = HeaderScan.http2();
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iterator(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> header = it.next();
                CharSequence name = header.getKey();
                if (name.length() > 0 && name.charAt(0) != ':') {
                    scan.add(name.toString(), header.getValue().toString());
                }
            }
            OutgoingCall call = OutgoingCall.current(); // a Reactor Netty request: its first send's value
            String value = call != null ? call.forward(scan.first())
                    : Outgoing.header(scan.first(), (int) scan.otherBytes());
            value = Outgoing.onWire(value, scan.otherBytes() + TraceHeader.lineBytes(TraceHeader.NAME, value));
            headers.set(LOWER_CASE_NAME, value);
            // the hop log line: the request's, or its call's (a Reactor Netty request: one line for all its sends)
            OutgoingHop hop = call != null ? call.hop() : null;
            if (hop == null) {
                CharSequence scheme = headers.scheme();
                CharSequence path = headers.path();
                hop = OutgoingHop.of(call != null ? call.context() : Context.current(), headers.method().toString(),
                        (scheme != null ? scheme.toString()
                                : ctx.pipeline().get(SslHandler.class) != null ? "https" : "http")
                                + "://" + headers.authority() + (path == null ? "/" : path.toString()));
                if (hop == null) {
                    return;
                }
                hop.start();
                if (call != null) {
                    hop.attach(ChannelHandlerContextInstrumentation.CALL_HOP); // ends with the call, not the stream
                    call.hop(hop);
                }
            } else if (hop.attachment() instanceof Integer) {
                hop.attach(ChannelHandlerContextInstrumentation.CALL_HOP); // a later send: its status is to come
            }
            hop.sent(value);
            io.netty.util.Attribute<Object> attr = ctx.channel()
                    .attr(AttributeKey.valueOf(ChannelHandlerContextInstrumentation.CLIENT_STREAMS));
            HashMap<Integer, Object> streams = (HashMap<Integer, Object>) attr.get();
            if (streams == null) {
                streams = new HashMap<>(4);
                attr.set(streams);
            }
            streams.put(streamId, hop);
        }
    }
}

package io.albtrace.instrumentation.netty;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code Http2StreamFrameToHttpObjectCodec.encode(ChannelHandlerContext, HttpObject, List)}: an HTTP/2 stream's
 * response as a server on it writes it in HTTP/1.1 objects (Reactor Netty's HTTP/2 server): as
 * {@link HttpObjectEncoderInstrumentation} for HTTP/1.1, the response head's status (and the response header when
 * asked for), and its last content ending the stream's request ({@link ChannelHandlerContextInstrumentation} entered
 * it when this codec decoded its head), with {@code HttpObjectEncoderInstrumentation.ServerResponseAdvice}. The
 * client's header on HTTP/2 is written by {@link Http2ConnectionEncoderInstrumentation}, whatever codec made the
 * headers; here a client request's own header only loses the blanks around it, which HTTP/2 refuses.
 */
public final class Http2StreamFrameToHttpObjectCodecInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("encode").and(takesArguments(3))
                        .and(takesArgument(1, named("io.netty.handler.codec.http.HttpObject"))),
                Http2StreamFrameToHttpObjectCodecInstrumentation.class.getName() + "$EncodeAdvice");
        target.applyAdvice(named("encode").and(takesArguments(3))
                        .and(takesArgument(1, named("io.netty.handler.codec.http.HttpObject"))),
                HttpObjectEncoderInstrumentation.ServerResponseAdvice.class.getName());
    }

    /** A client's request: its application's header trimmed. (The server's response: {@code ServerResponseAdvice}.) */
    public static final class EncodeAdvice {

        private EncodeAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(1) HttpObject msg) {
            if (msg instanceof HttpRequest) {
                // a client's request: its trace header is forwarded where the HEADERS frame is written, but HTTP/2
                // refuses a value with blanks around it before that; they are trimmed here, as forwarding does
                HttpHeaders headers = ((HttpRequest) msg).headers();
                String own = headers.get(TraceHeader.NAME);
                if (own != null && !own.isEmpty()
                        && (own.charAt(0) <= ' ' || own.charAt(own.length() - 1) <= ' ')) {
                    headers.set(TraceHeader.NAME, own.trim());
                }
            }
        }
    }
}

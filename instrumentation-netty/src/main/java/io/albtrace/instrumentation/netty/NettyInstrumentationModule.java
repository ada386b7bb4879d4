package io.albtrace.instrumentation.netty;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Netty 4.1 and 4.2, and what is built on its HTTP codecs (Reactor Netty): {@code albtrace.instrumentation.netty.enabled}.
 * <ul>
 *   <li>server entry (SPEC 4): a request decoded by the HTTP/1.1 server codec, or an HTTP/2 stream's request as
 *       {@code Http2StreamFrameToHttpObjectCodec} decodes it, binds its context while its own handlers run on the
 *       event loop ({@link ChannelHandlerContextInstrumentation}); its hop log {@code in} line ends when the
 *       response's last content is encoded ({@link HttpObjectEncoderInstrumentation},
 *       {@link Http2StreamFrameToHttpObjectCodecInstrumentation});</li>
 *   <li>the event loop's tasks ({@link EventExecutorInstrumentation}, {@link ScheduledEventExecutorInstrumentation}):
 *       a task given to an event loop where a context is bound runs with it, and only it; so do the listeners of
 *       Netty's futures ({@link DefaultPromiseInstrumentation});</li>
 *   <li>client: the header is written where the request head is encoded, HTTP/1.1
 *       ({@link HttpObjectEncoderInstrumentation}) and HTTP/2 ({@link Http2ConnectionEncoderInstrumentation}), with the
 *       context of the code that wrote the request; its hop log line ends with the response's head (HTTP/1.1:
 *       {@link ChannelHandlerContextInstrumentation}; HTTP/2, per stream: {@link Http2ConnectionDecoderInstrumentation}).</li>
 *   <li>Reactor Netty's {@code HttpClient}: the request is written with the context where its {@code Mono} was
 *       subscribed ({@link ReactorNettyClientInstrumentation}).</li>
 * </ul>
 */
public final class NettyInstrumentationModule extends InstrumentationModule {

    public NettyInstrumentationModule() {
        super("netty");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new ChannelHandlerContextInstrumentation(), new HttpObjectEncoderInstrumentation(),
                new Http2StreamFrameToHttpObjectCodecInstrumentation(), new Http2ConnectionEncoderInstrumentation(),
                new Http2ConnectionDecoderInstrumentation(),
                new EventExecutorInstrumentation(), new ScheduledEventExecutorInstrumentation(),
                new DefaultPromiseInstrumentation(), new ReactorNettyClientInstrumentation());
    }

    /**
     * Netty's HTTP codec: the advice on Netty's transport classes (the channel pipeline, the event executors, the
     * promises) looks at HTTP messages, so a class loader with Netty's transport and without its HTTP codec (a Redis
     * or Cassandra driver's) is left alone, without a warning.
     */
    @Override
    public List<String> libraryClasses() {
        return java.util.Collections.singletonList("io.netty.handler.codec.http.HttpObjectEncoder");
    }

    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                ChannelHandlerContextInstrumentation.TYPE,
                HttpObjectEncoderInstrumentation.TYPE,
                Http2StreamFrameToHttpObjectCodecInstrumentation.TYPE,
                Http2ConnectionEncoderInstrumentation.TYPE,
                Http2ConnectionDecoderInstrumentation.TYPE,
                EventExecutorInstrumentation.TYPE,
                ScheduledEventExecutorInstrumentation.TYPE,
                DefaultPromiseInstrumentation.TYPE,
                ReactorNettyClientInstrumentation.HANDLER,
                ReactorNettyClientInstrumentation.OBSERVER,
                ReactorNettyClientInstrumentation.IO_OBSERVER);
    }
}

package io.albtrace.instrumentation.okhttp;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OtherAgents;
import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.internal.http.ExchangeCodec;
import okhttp3.internal.http2.Http2ExchangeCodec;

/**
 * {@code okhttp3.internal.connection.Exchange#writeRequestHeaders(Request)} (3.14, 4.x and 5.x): the request
 * exactly as it goes on the wire, after OkHttp's own headers ({@code Host}, {@code User-Agent},
 * {@code Accept-Encoding}, {@code Connection}, {@code Cookie}, the body's {@code Content-*}) were added.
 *
 * <p>For a call forwarded when it was made ({@link RealCallInstrumentation}: OkHttp 3.14, 4.x, 5.0 to 5.2, 5.x
 * after 5.5.1, and 5.3+ when the application set the header), only the headers the application set were known
 * then. The size rule (SPEC 3) counts all request headers together, so it is checked again here: when the whole
 * set is over the bound, the trace header is cut to its {@code Root} field. Over HTTP/2 the headers are counted as
 * the stream carries them: not {@code Host} (the {@code :authority} pseudo-header) nor the connection's own headers
 * OkHttp's HTTP/2 codec leaves out ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code Transfer-Encoding}, {@code Encoding}, {@code Upgrade}, {@code TE} but {@code TE: trailers}). The value is not forwarded again (no
 * new {@code Self}).
 *
 * <p>A call forwarded on the wire (OkHttp 5.3.0 to 5.5.1, the usual case) reaches this point without a trace
 * header, unless an interceptor added one; its header and size rule are the codecs'
 * ({@link Http1ExchangeCodecInstrumentation}, {@link Http2ExchangeCodecInstrumentation}).
 */
public final class ExchangeInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("okhttp3.internal.connection.Exchange");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeRequestHeaders")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("okhttp3.Request"))),
                ExchangeInstrumentation.class.getName() + "$WriteRequestHeadersAdvice");
    }

    /**
     * Applies the size rule to the complete request headers; first, when another tracing agent's interceptor wrote
     * its header over the value forwarded when the call was made, puts that value back with the agent's fields
     * ({@link OtherAgents#overwritten}).
     */
    public static final class WriteRequestHeadersAdvice {

        private WriteRequestHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("codec") ExchangeCodec codec,
                @Advice.Argument(value = 0, readOnly = false) Request request,
                @Advice.FieldValue("call") Call call) {
            Headers headers = request.headers();
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            // over HTTP/2, counted as the stream carries them: Host goes as :authority, some are left out
            HeaderScan scan = HeaderScan.of(codec instanceof Http2ExchangeCodec);
            for (int i = 0, n = headers.size(); i < n; i++) {
                scan.add(headers.name(i), headers.value(i));
            }
            String trace = scan.first();
            long total = scan.allBytes();
            if (trace != null) {
                // the value forwarded when the call was made, if it was (not on OkHttp 5.3+ without the
                // application's header: the codecs forward those)
                String ours = call.request().header(TraceHeader.NAME);
                String value = ours == null || ours.equals(trace) ? trace : OtherAgents.overwritten(ours, trace);
                String limited = Outgoing.onWire(value, total - TraceHeader.lineBytes(TraceHeader.NAME, trace)
                        + TraceHeader.lineBytes(TraceHeader.NAME, value));
                if (limited != trace) {
                    request = request.newBuilder().header(TraceHeader.NAME, limited).build();
                }
            }
        }
    }
}

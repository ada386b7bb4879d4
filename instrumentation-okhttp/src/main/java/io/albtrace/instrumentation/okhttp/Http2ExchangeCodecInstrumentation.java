package io.albtrace.instrumentation.okhttp;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.Outgoing;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import kotlin.reflect.KClass;
import net.bytebuddy.asm.Advice;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.internal.connection.RealCall;
import okhttp3.internal.http.RealInterceptorChain;

/**
 * OkHttp 5, HTTP/2: {@code Http2ExchangeCodec#writeRequestHeaders(Request)}, the request with all its headers,
 * OkHttp's own included, before they become the stream's header list. For a call that
 * {@link RealCallInstrumentation} gave an {@link OutgoingCall} (OkHttp 5's call tags, 5.3.0 to 5.5.1), the request
 * written is one with exactly one trace header: the call's value ({@link OutgoingCall#forward(String)}: from the first
 * trace header on the request, one an interceptor added, else the captured context; the same for every send of
 * the call), with the size rule over all the headers the stream carries (SPEC 3): not {@code Host}, which goes as
 * the {@code :authority} pseudo-header, nor the connection's own headers the codec leaves out ({@code Connection},
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding}, {@code Encoding}, {@code Upgrade},
 * {@code TE} but {@code TE: trailers}). HTTP/1.1, the usual case, is written
 * without a new request ({@link Http1ExchangeCodecInstrumentation}); here the request is rebuilt.
 *
 * <p>A call whose request carries a trace header from the call's constructor on is left alone (its size rule is
 * {@link ExchangeInstrumentation}'s): on OkHttp 5.3+ a call whose application set the header, every call on
 * OkHttp 5.0 to 5.2, which have no call tags (this check comes first, so such a call is never asked for them), and
 * every call on a 5.x version after 5.5.1, whose codecs the agent does not know.
 * Not applied to OkHttp 3.14 and 4.x.
 */
public final class Http2ExchangeCodecInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("okhttp3.internal.http2.Http2ExchangeCodec");
    }

    @Override
    public void transform(AdviceTarget target) {
        // OkHttp 5's codec (on a Carrier); 4.x's has no getCarrier()
        if (target.declares(named("getCarrier").and(takesArguments(0)))) {
            target.applyAdvice(named("writeRequestHeaders")
                            .and(takesArguments(1))
                            .and(takesArgument(0, named("okhttp3.Request"))),
                    Http2ExchangeCodecInstrumentation.class.getName() + "$WriteRequestHeadersAdvice");
        }
    }

    /** Gives the codec the request with the call's trace header. */
    public static final class WriteRequestHeadersAdvice {

        private WriteRequestHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("chain") RealInterceptorChain chain,
                @Advice.Argument(value = 0, readOnly = false) Request request) {
            Call call = chain.call();
            if (call == null) {
                return;
            }
            if (call.request().header(TraceHeader.NAME) != null) {
                return; // forwarded when the call was made (RealCallInstrumentation), the size rule is Exchange's
            }
            // the key RealCallInstrumentation kept the call's state under
            Object key = LibraryHelpers.instance(RealCall.class, RealCallInstrumentation.OUTGOING_CALL_KEY);
            @SuppressWarnings("unchecked")
            OutgoingCall outgoing = key != null ? call.tag((KClass<OutgoingCall>) key) : call.tag(OutgoingCall.class);
            if (outgoing == null) {
                return;
            }
            Headers headers = request.headers();
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            // counted as the stream carries them: the codec sends Host as :authority and leaves some out
            HeaderScan scan = HeaderScan.http2();
            for (int i = 0, n = headers.size(); i < n; i++) {
                scan.add(headers.name(i), headers.value(i));
            }
            String value = outgoing.forward(scan.first());
            value = Outgoing.onWire(value, scan.otherBytes() + TraceHeader.lineBytes(TraceHeader.NAME, value));
            request = request.newBuilder().header(TraceHeader.NAME, value).build(); // replaces every copy
        }
    }
}

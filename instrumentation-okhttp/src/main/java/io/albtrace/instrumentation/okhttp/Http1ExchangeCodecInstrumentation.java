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
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.Collections;
import java.util.List;
import kotlin.reflect.KClass;
import net.bytebuddy.asm.Advice;
import okhttp3.Headers;
import okhttp3.internal.connection.RealCall;
import okhttp3.internal.connection.RealConnection;
import okhttp3.internal.http.ExchangeCodec;
import okhttp3.internal.http1.Http1ExchangeCodec;
import okio.BufferedSink;

/**
 * OkHttp 5, HTTP/1.1: {@code Http1ExchangeCodec#writeRequest(Headers, String requestLine)}, which writes the
 * request line and then every header, as they go on the wire. For a call that {@link RealCallInstrumentation}
 * gave an {@link OutgoingCall} (OkHttp 5's call tags, on the versions whose {@code writeRequest} was checked: 5.3.0
 * to 5.5.1), the trace header is forwarded and written here, with no new {@code Request} or {@code Headers}:
 * <ul>
 *   <li>the value is the call's ({@link OutgoingCall#forward(String)}): from the first trace header on the
 *       request written (one an interceptor added), else from the context captured when the call was made;
 *       every later send of the same call (a redirect, an authentication follow-up, a retry) carries that same
 *       value (SPEC 3, 5);</li>
 *   <li>the size rule counts every header written here, OkHttp's own included (SPEC 3);</li>
 *   <li>the advice writes the request line and the trace header line itself, then lets the method write an
 *       empty request line: its {@code "\r\n"} ends the trace header line, and every other header follows.
 *       This relies on {@code writeRequest} writing the request line and then {@code "\r\n"} before anything
 *       else, which is why {@link RealCallInstrumentation} gives an {@link OutgoingCall} only on the OkHttp
 *       versions where that was checked; on any other, the call's request carries the header from the start and
 *       this advice leaves it alone.
 *       The application's own copies of the header, if any, are left out (a copy of the headers without them,
 *       the only allocation besides the value), so exactly one leaves.</li>
 * </ul>
 * The call is the one the connection carries: an HTTP/1.1 connection carries one call at a time
 * ({@code RealConnection.getCalls()}). A proxy's {@code CONNECT}, written by the same method for a connection
 * being set up, is left as it is.
 *
 * <p>A call whose request carries a trace header from the call's constructor on is left alone (its size rule is
 * {@link ExchangeInstrumentation}'s): on OkHttp 5.3+ a call whose application set the header, every call on
 * OkHttp 5.0 to 5.2, which have no call tags (this check comes first, so such a call is never asked for them), and
 * every call on a 5.x version after 5.5.1, whose codec the agent does not know.
 * Not applied to OkHttp 3.14 and 4.x.
 */
public final class Http1ExchangeCodecInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("okhttp3.internal.http1.Http1ExchangeCodec");
    }

    @Override
    public void transform(AdviceTarget target) {
        // OkHttp 5's codec: on a Carrier (a RealConnection, or a connection being set up), writing to a socket
        if (target.declares(named("getCarrier").and(takesArguments(0)))) {
            target.applyAdvice(named("writeRequest")
                            .and(takesArguments(2))
                            .and(takesArgument(0, named("okhttp3.Headers")))
                            .and(takesArgument(1, String.class)),
                    Http1ExchangeCodecInstrumentation.class.getName() + "$WriteRequestAdvice");
        }
    }

    /** Writes the request line and the call's trace header; the method writes the rest. */
    public static final class WriteRequestAdvice {

        private WriteRequestAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Http1ExchangeCodec codec,
                @Advice.FieldValue("state") int state,
                @Advice.Argument(value = 0, readOnly = false) Headers headers,
                @Advice.Argument(value = 1, readOnly = false) String requestLine) throws IOException {
            if (state != 0 || requestLine.startsWith("CONNECT ")) {
                return; // the method refuses to write (its own check), or a proxy tunnel's CONNECT
            }
            ExchangeCodec.Carrier carrier = codec.getCarrier();
            if (!(carrier instanceof RealConnection)) {
                return;
            }
            List<Reference<RealCall>> calls = ((RealConnection) carrier).getCalls();
            if (calls.size() != 1) {
                return;
            }
            RealCall call = calls.get(0).get();
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
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            HeaderScan scan = HeaderScan.http1();
            for (int i = 0, n = headers.size(); i < n; i++) {
                scan.add(headers.name(i), headers.value(i));
            }
            String value = outgoing.forward(scan.first());
            value = Outgoing.onWire(value, scan.otherBytes() + TraceHeader.lineBytes(TraceHeader.NAME, value));
            Headers rest = scan.copies() > 0 ? headers.newBuilder().removeAll(TraceHeader.NAME).build() : headers;
            // everything that can fail has run: now the bytes
            BufferedSink sink = codec.getSocket().getSink();
            sink.writeUtf8(requestLine);
            sink.writeUtf8("\r\n" + TraceHeader.NAME + ": ");
            sink.writeUtf8(value);
            requestLine = ""; // the method's "\r\n" after the request line ends the trace header line
            headers = rest;
        }
    }
}

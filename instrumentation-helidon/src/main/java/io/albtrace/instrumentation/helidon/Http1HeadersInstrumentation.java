package io.albtrace.instrumentation.helidon;

import static io.albtrace.instrumentation.api.Methods.isStatic;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Helidon 4 {@code Http1CallChainBase#writeHeaders(ClientConnection, Headers, BufferData, boolean,
 * Http1ConnectionListener)}: the HTTP/1.1 client writes every request's headers there (with and without an entity,
 * each redirect, the {@code Upgrade} request of h2c and WebSocket, a proxy's {@code CONNECT}), on the caller's
 * thread, into the buffer that already holds the request line; the headers are final ({@code Host},
 * {@code Content-Length}, what the client's services added).
 *
 * <p>The advice writes the value of the call begun on this thread ({@link ClientRequestInstrumentation}) over every
 * trace header, with the size rule over all the headers ({@link OutgoingCall#onClassicWire}); outside a call, the size
 * rule alone. A {@code CONNECT} (the request line starts with it) is left as it is. The header is written as one
 * Helidon calls "changing", as on HTTP/2 ({@link Http2HeadersInstrumentation}), where that matters; here it does not.
 */
public final class Http1HeadersInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.helidon.webclient.http1.Http1CallChainBase";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeHeaders")
                        .and(isStatic())
                        .and(takesArguments(5))
                        .and(takesArgument(1, named("io.helidon.http.Headers")))
                        .and(takesArgument(2, named("io.helidon.common.buffers.BufferData"))),
                Http1HeadersInstrumentation.class.getName() + "$WriteHeadersAdvice");
    }

    /** Writes the call's header, once, over every copy. */
    public static final class WriteHeadersAdvice {

        private WriteHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(1) Headers headers, @Advice.Argument(2) BufferData requestLine) {
            String connect = "CONNECT ";
            boolean tunnel = requestLine.available() > connect.length();
            for (int i = 0; tunnel && i < connect.length(); i++) {
                tunnel = requestLine.get(i) == connect.charAt(i);
            }
            // The loop over the library's own header type stays here (core cannot name it); the counting is core's.
            // A name with several values goes out as one line per value.
            HeaderScan scan = HeaderScan.http1();
            for (Header h : headers) {
                if (h.valueCount() == 1) {
                    scan.add(h.name(), h.get());
                } else {
                    for (String value : h.allValues()) {
                        scan.add(h.name(), value);
                    }
                }
            }
            String own = scan.first();
            String wire = OutgoingCall.onClassicWire(tunnel ? "CONNECT" : "", own, scan.otherBytes());
            if (wire != null && (scan.copies() != 1 || wire != own) && headers instanceof WritableHeaders) {
                // "changing", as on HTTP/2
                ((WritableHeaders<?>) headers).set(
                        HeaderValues.create(HeaderNames.create(TraceHeader.NAME), true, false, wire));
            }
        }
    }
}

package io.albtrace.instrumentation.helidon;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.HeaderScan;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2Headers;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Helidon 4 {@code Http2ClientStream#writeHeaders(Http2Headers, boolean)}: the HTTP/2 client opens each request's
 * stream there (each redirect's too), on the caller's thread, with the request's final headers (the pseudo-headers
 * beside them).
 *
 * <p>The advice writes the value of the call begun on this thread ({@link ClientRequestInstrumentation}) over every
 * trace header, with the size rule over the headers the stream carries ({@link HeaderScan#http2()}).
 *
 * <p>The header is written as one Helidon calls "changing", which its HPACK encoder sends without adding it to the
 * connection's dynamic table: each request's value is new (its own Self), so indexing it would only evict what is
 * worth keeping; and Helidon 4.5.0's encoder never returns when it indexes a header larger than the table (4,096
 * bytes by default: {@code DynamicTable.add} evicts from an empty table forever), which a trace header within the size
 * rule's 7,168 bytes can be. The application's own header is written again that way too.
 */
public final class Http2HeadersInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.helidon.webclient.http2.Http2ClientStream";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("writeHeaders")
                        .and(takesArguments(2))
                        .and(takesArgument(0, named("io.helidon.http.http2.Http2Headers")))
                        .and(takesArgument(1, named("boolean"))),
                Http2HeadersInstrumentation.class.getName() + "$WriteHeadersAdvice");
    }

    /** Writes the call's header, once, over every copy. */
    public static final class WriteHeadersAdvice {

        private WriteHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Http2Headers http2Headers) {
            Headers headers = http2Headers.httpHeaders();
            HeaderScan scan = HeaderScan.http2();
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
            String wire = OutgoingCall.onClassicWire(http2Headers.method().text(), own, scan.otherBytes());
            if (wire != null && headers instanceof WritableHeaders) { // even the application's own, unchanged: see above
                // "changing": HPACK never indexes it (see the class comment)
                ((WritableHeaders<?>) headers).set(
                        HeaderValues.create(HeaderNames.create(TraceHeader.NAME), true, false, wire));
            }
        }
    }
}

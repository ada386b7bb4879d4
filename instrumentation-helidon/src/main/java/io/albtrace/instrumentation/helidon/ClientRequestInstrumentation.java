package io.albtrace.instrumentation.helidon;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.helidon.http.ClientRequestHeaders;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientRequestBase;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Helidon 4 {@code ClientRequestBase#request()}, {@code #submit(Object)} and {@code #outputStream(OutputStreamHandler)}:
 * where the application sends a request of the HTTP/1.1 or the HTTP/2 client ({@code Http1ClientRequestImpl},
 * {@code Http2ClientRequestImpl}), on its own thread; the whole exchange, redirects included, runs inside, on that
 * thread (Helidon's client is blocking), and what the methods return is the final response.
 *
 * <p>The advice begins an {@link OutgoingCall} (and the hop log's {@code out} line) there; each send of the call
 * writes its value ({@link Http1HeadersInstrumentation}, {@link Http2HeadersInstrumentation}). A {@code WebClient}'s
 * own request ({@code HttpClientRequest}) picks the protocol (over TLS it connects to ask ALPN) and hands itself to
 * one of those requests, which is the call: the hop log's line is begun on the {@code WebClient}'s request, so that a
 * call that fails before a protocol is picked has its line too, and its protocol's request, inside, uses that line.
 * The {@code CONNECT} Helidon sends to a proxy while it connects for a call is passed over: it is no call of the
 * application's. On exit the request object's trace headers are put back as the application left them: Helidon sends
 * the request's own headers, so the value sent would otherwise look application-set when the object is sent again.
 */
public final class ClientRequestInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.helidon.webclient.api.ClientRequestBase";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("request").and(takesArguments(0))
                        .or(named("submit").and(takesArguments(1))
                                .and(takesArgument(0, named("java.lang.Object"))))
                        .or(named("outputStream").and(takesArguments(1))
                                .and(takesArgument(0, named("io.helidon.webclient.api.ClientRequest$OutputStreamHandler")))),
                ClientRequestInstrumentation.class.getName() + "$SendAdvice");
    }

    /** Begins the call on entry; ends it, and finishes its hop line with the final status, on exit. */
    public static final class SendAdvice {

        private SendAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingCall enter(@Advice.This ClientRequestBase<?, ?> request,
                @Advice.Local("albtraceHop") OutgoingHop hop, @Advice.Local("albtraceOwn") List<String> own) {
            if (request.method() == Method.CONNECT) {
                return null; // a proxy's CONNECT, sent while connecting for a call: no call of the application's
            }
            // the application's own trace header values, put back on exit (an empty list: none)
            ClientRequestHeaders headers = request.headers();
            HeaderName name = HeaderNames.create(TraceHeader.NAME);
            own = headers.contains(name) ? new ArrayList<String>(headers.get(name).allValues())
                    : Collections.<String>emptyList();
            ClientUri uri = request.resolvedUri();
            if (request instanceof HttpClientRequest) {
                // a WebClient's request: the hop is its (it may fail before a protocol is picked), the call its
                // protocol's request's, which finds the hop by its attachment
                hop = OutgoingHop.begin(request.method().text(), uri.scheme(), uri.host(), uri.port(),
                        uri.pathWithQueryAndFragment());
                if (hop != null) {
                    hop.attach(request);
                }
                return null;
            }
            OutgoingHop outer = OutgoingHop.current();
            if (outer != null && outer.attachment() instanceof HttpClientRequest) {
                outer.attach(null); // the WebClient request's hop is this call's; a call nested in it has its own
            } else {
                hop = OutgoingHop.begin(request.method().text(), uri.scheme(), uri.host(), uri.port(),
                        uri.pathWithQueryAndFragment());
            }
            return OutgoingCall.begin();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This ClientRequestBase<?, ?> request, @Advice.Enter OutgoingCall call,
                @Advice.Local("albtraceHop") OutgoingHop hop, @Advice.Local("albtraceOwn") List<String> own,
                @Advice.Return HttpClientResponse response) {
            if (hop != null) {
                hop.end();
                hop.finish(response == null ? -1 : response.status().code()); // after redirects: the final
            }
            if (call != null) {
                call.end();
            }
            if (own != null) {
                // The request's headers are the ones sent (and a WebClient's request gets its protocol request's
                // back): the value sent would be the application's own on the next send of this request object.
                ClientRequestHeaders headers = request.headers();
                HeaderName name = HeaderNames.create(TraceHeader.NAME);
                List<String> now = headers.contains(name) ? headers.get(name).allValues()
                        : Collections.<String>emptyList();
                if (!now.equals(own)) {
                    if (own.isEmpty()) {
                        headers.remove(name);
                    } else {
                        headers.set(HeaderValues.create(name, own));
                    }
                }
            }
        }
    }
}

package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import net.bytebuddy.asm.Advice;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.client.protocol.HttpClientContext;

/**
 * HttpAsyncClient 4.1: {@code AbstractClientExchangeHandler#setCurrentRequest(HttpRequestWrapper)}, where each of
 * the three exchange handlers ({@code DefaultClientExchangeHandlerImpl} of the default client,
 * {@code MinimalClientExchangeHandlerImpl}, {@code PipeliningClientExchangeHandlerImpl}) is given the request it
 * sends next: the first (on the caller's thread, in {@code execute}), each redirect and the tunnel's {@code CONNECT}
 * (on the I/O reactor), each request of a pipeline. Authentication follow-ups and retries send the same object
 * again. The wrapper holds a copy of the application's headers: the application's request is never changed.
 *
 * <p>The advice takes the call kept in the handler's {@code HttpClientContext} ({@link AsyncClient4Instrumentation})
 * and puts the call's value on the request in place of every trace header: forwarded on the first send from the
 * request's own header (the application's wins) or the caller's context, the same value on every later send. A
 * {@code CONNECT} to a proxy is left as it is. The size rule over all headers is applied where they are final
 * ({@link AsyncClient4ConnectionInstrumentation}).
 */
public final class AsyncClient4ExchangeInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.http.impl.nio.client.AbstractClientExchangeHandler");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("setCurrentRequest")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.apache.http.client.methods.HttpRequestWrapper"))),
                AsyncClient4ExchangeInstrumentation.class.getName() + "$SetCurrentRequestAdvice");
        target.applyAdvice(named("failed")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("java.lang.Exception"))),
                AsyncClient4ExchangeInstrumentation.class.getName() + "$FailedAdvice");
    }

    /**
     * Finishes the call's hop log line, without status, when the exchange fails: the minimal clients' handler
     * ({@code MinimalClientExchangeHandlerImpl}, 4.1.5) never completes the call's future when its connection fails,
     * so the wrapped callback ({@link HopCallbacks4}) is never told. (A line is finished once: the callback's later
     * finish, for the other handlers, does nothing.)
     */
    public static final class FailedAdvice {

        private FailedAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("localContext") HttpClientContext context) {
            Object kept = context == null ? null : context.getAttribute(OutgoingCall.ATTRIBUTE);
            if (kept instanceof OutgoingCall) {
                OutgoingHop hop = ((OutgoingCall) kept).hop();
                if (hop != null) {
                    hop.finish(-1);
                }
            }
        }
    }

    /** Puts the call's value on the request the handler sends next. */
    public static final class SetCurrentRequestAdvice {

        private SetCurrentRequestAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpRequestWrapper request,
                @Advice.FieldValue("localContext") HttpClientContext context) {
            if (request == null || context == null) {
                return; // the handler forgets its request (after a tunnel's CONNECT)
            }
            String method = request.getRequestLine().getMethod();
            if ("CONNECT".equalsIgnoreCase(method)) {
                return; // the client's tunnel through a proxy, not the call
            }
            Object kept = context.getAttribute(OutgoingCall.ATTRIBUTE);
            OutgoingCall call = null;
            if (kept instanceof OutgoingCall) {
                call = (OutgoingCall) kept;
            } else {
                Object pipeline = context.getAttribute(AsyncClient4Instrumentation.PIPELINE);
                if (pipeline instanceof Queue) {
                    Object next = ((Queue<?>) pipeline).poll();
                    if (next instanceof OutgoingCall) {
                        call = (OutgoingCall) next;
                    }
                }
                if (call == null) {
                    // a path the client-level advice did not see: the context here is the best there is
                    call = OutgoingCall.capture();
                    context.setAttribute(OutgoingCall.ATTRIBUTE, call);
                }
            }
            OutgoingHop hop = call.hop();
            if (hop != null) {
                // the first send is the request the application asked for (the hop log's line)
                Object target = context.getAttribute(AsyncClient4Instrumentation.TARGET);
                HttpHost host = target instanceof HttpHost ? (HttpHost) target : request.getTarget();
                String path = request.getRequestLine().getUri();
                if (host != null) {
                    hop.request(method, host.getSchemeName(), host.getHostName(), host.getPort(), path);
                } else {
                    URI uri = request.getURI();
                    hop.request(method, uri == null ? null : uri.getScheme(), uri == null ? null : uri.getHost(),
                            uri == null ? -1 : uri.getPort(), path);
                }
            }
            Header[] own = request.getHeaders(TraceHeader.NAME);
            String value = call.forward(own.length > 0 ? own[0].getValue() : null);
            if (own.length == 1) {
                if (own[0].getValue() != value) {
                    request.setHeader(TraceHeader.NAME, value);
                }
            } else {
                if (own.length > 1) { // with none there is nothing to remove: no pass over every header
                    request.removeHeaders(TraceHeader.NAME);
                }
                request.addHeader(TraceHeader.NAME, value);
            }
        }
    }
}

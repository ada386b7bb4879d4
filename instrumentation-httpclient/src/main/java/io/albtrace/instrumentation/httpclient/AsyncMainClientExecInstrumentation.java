package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * HttpClient 5 async (5.0 to 5.6): {@code HttpAsyncMainClientExec} (HTTP/1.1, and HTTP/2 negotiated by the default
 * client) and {@code H2AsyncMainClientExec} (the HTTP/2 client), the last element of the execution chain:
 * {@code execute(HttpRequest, AsyncEntityProducer, AsyncExecChain.Scope, AsyncExecChain, AsyncExecCallback)} is
 * given every send of a call, after the application's and the client's interceptors and exec handlers: the
 * first, each redirect (which the client builds afresh from the application's original request, or as a bare GET)
 * and each retry, on whichever thread sends it. The requests it gets are the client's own copies, never the
 * application's object.
 *
 * <p>The advice takes the call kept in the scope's {@code HttpContext} ({@link AsyncHttpClientInstrumentation}) and
 * puts the call's value on the request in place of every trace header: forwarded on the first send from the
 * request's own header (the application's wins) or the caller's context, the same value on every later send. The
 * size rule over all headers is applied where they are final ({@link AsyncRequestWriterInstrumentation},
 * {@link H2RequestConverterInstrumentation}).
 *
 * <p>A {@code CONNECT} is left as it is: the {@code AsyncConnectExec} of HttpClient 5.0 and 5.1 sends the tunnel to
 * an {@code https:} origin through a proxy down this chain too, and it is not the application's request. Given the
 * call's value it would carry the header to the proxy, and, being the call's first send, it would fix that value
 * before the real request, whose own header would then lose.
 */
public final class AsyncMainClientExecInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec",
                "org.apache.hc.client5.http.impl.async.H2AsyncMainClientExec");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("execute")
                        .and(takesArguments(5))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest")))
                        .and(takesArgument(2, named("org.apache.hc.client5.http.async.AsyncExecChain$Scope"))),
                AsyncMainClientExecInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Puts the call's value on the send. */
    public static final class ExecuteAdvice {

        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpRequest request,
                @Advice.Argument(2) AsyncExecChain.Scope scope) {
            if ("CONNECT".equalsIgnoreCase(request.getMethod())) {
                return; // the client's tunnel through a proxy (5.0 and 5.1 send it down the chain), not the call
            }
            HttpClientContext context = scope.clientContext;
            Object kept = context.getAttribute(OutgoingCall.ATTRIBUTE);
            OutgoingCall call;
            if (kept instanceof OutgoingCall) {
                call = (OutgoingCall) kept;
            } else {
                // a path the client-level advice did not see: the context here is the best there is
                call = OutgoingCall.capture();
                context.setAttribute(OutgoingCall.ATTRIBUTE, call);
            }
            OutgoingHop hop = call.hop();
            if (hop != null) {
                // the first send is the request the application asked for (the hop log's line)
                URIAuthority authority = request.getAuthority();
                hop.request(request.getMethod(), request.getScheme(),
                        authority == null ? null : authority.getHostName(), authority == null ? -1 : authority.getPort(),
                        request.getPath());
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

package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingCall;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * httpcore5 (5.0 to 5.4) {@code ClientHttp1StreamHandler} and httpcore5-h2 {@code ClientH2StreamHandler}:
 * {@code commitRequest(HttpRequest, EntityDetails)}, where an asynchronous connection, on the I/O reactor, commits
 * the request an exchange handler produced: it runs the connection's protocol interceptors, then writes the head
 * (HTTP/1.1, {@link AsyncRequestWriterInstrumentation}) or converts it to the HTTP/2 header list
 * ({@link H2RequestConverterInstrumentation}), both before it returns. The handler's {@code context} field is
 * the call's {@code HttpContext}.
 *
 * <p>When that context holds an {@link OutgoingCall} (the minimal clients, {@link AsyncMinimalClientInstrumentation};
 * the full clients, {@link AsyncHttpClientInstrumentation}), the call's value replaces every trace header on entry:
 * forwarded from the request's own header (the application's wins) or the caller's context. For the full clients
 * the execution chain has set that same value already, so nothing changes. The minimal clients send the
 * application's request object itself, so on exit, the head written, its trace headers are put back as the
 * application left them: a request object executed again gets the second call's context. Without a call
 * (httpcore5's own requester) the request is left as it is.
 *
 * <p>So is a {@code CONNECT}: {@code AsyncConnectExec} commits the tunnel to an {@code https:} origin through a
 * proxy on a connection whose context holds the call (HttpClient 5.4 and 5.6 directly, 5.0 and 5.1 by way of
 * {@link AsyncMainClientExecInstrumentation}), but it is the client's request, not the application's: it carries no
 * trace header, and it must not fix the call's value before the real request does.
 */
public final class AsyncStreamHandlerInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.hc.core5.http.impl.nio.ClientHttp1StreamHandler",
                "org.apache.hc.core5.http2.impl.nio.ClientH2StreamHandler");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("commitRequest")
                        .and(takesArguments(2))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest")))
                        .and(takesArgument(1, named("org.apache.hc.core5.http.EntityDetails"))),
                AsyncStreamHandlerInstrumentation.class.getName() + "$CommitRequestAdvice");
    }

    /** Puts the call's value on the request on entry; the application's trace headers back on exit. */
    public static final class CommitRequestAdvice {

        private CommitRequestAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Header[] enter(@Advice.Argument(0) HttpRequest request,
                @Advice.FieldValue("context") HttpContext context) {
            Object kept = context.getAttribute(OutgoingCall.ATTRIBUTE);
            if (!(kept instanceof OutgoingCall) || "CONNECT".equalsIgnoreCase(request.getMethod())) {
                return null; // no call, or the client's tunnel through a proxy: not the call's request
            }
            Header[] own = request.getHeaders(TraceHeader.NAME);
            String value = ((OutgoingCall) kept).forward(own.length > 0 ? own[0].getValue() : null);
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
            return own;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) HttpRequest request, @Advice.Enter Header[] own) {
            if (own == null) {
                return;
            }
            Header[] now = request.getHeaders(TraceHeader.NAME);
            boolean changed = now.length != own.length;
            for (int i = 0; !changed && i < now.length; i++) {
                changed = now[i] != own[i];
            }
            if (changed) {
                if (own.length == 1 && now.length == 1) {
                    request.setHeader(own[0]); // in place
                } else {
                    request.removeHeaders(TraceHeader.NAME);
                    for (Header h : own) {
                        request.addHeader(h);
                    }
                }
            }
        }
    }
}

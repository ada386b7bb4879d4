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
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.RequestLine;
import org.apache.http.client.methods.HttpUriRequest;

/**
 * HttpClient 4.5 classic ({@code org.apache.http}): {@code doExecute(HttpHost, HttpRequest, HttpContext)} of
 * {@code InternalHttpClient} ({@code HttpClients.createDefault()}, {@code custom()...build()},
 * {@code createSystem()}, the 4.x fluent API), {@code MinimalHttpClient} ({@code createMinimal()}) and
 * {@code AbstractHttpClient} (the deprecated {@code DefaultHttpClient} family). Every {@code execute} overload
 * ends there, on the caller's thread, with the whole exchange inside.
 *
 * <p>The same design as HttpClient 5 classic ({@link ClassicHttpClientInstrumentation}): a call is begun on the
 * caller's thread for the duration, and the connection ({@link HttpClient4ConnectionInstrumentation}) writes its
 * value on every send. HttpClient 4.5 sends wrappers with copied headers, so the application's request is not
 * changed; should a send ever be the application's object, its trace headers are put back on exit.
 */
public final class HttpClient4Instrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.http.impl.client.InternalHttpClient",
                "org.apache.http.impl.client.MinimalHttpClient",
                "org.apache.http.impl.client.AbstractHttpClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("doExecute")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("org.apache.http.HttpHost")))
                        .and(takesArgument(1, named("org.apache.http.HttpRequest")))
                        .and(takesArgument(2, named("org.apache.http.protocol.HttpContext"))),
                HttpClient4Instrumentation.class.getName() + "$DoExecuteAdvice");
    }

    /** Begins the call on entry; ends it, and puts the application's trace headers back if they changed, on exit. */
    public static final class DoExecuteAdvice {

        private DoExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingCall enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) HttpRequest request,
                @Advice.Local("albtraceOwn") Header[] own, @Advice.Local("albtraceHop") OutgoingHop hop) {
            own = request.getHeaders(TraceHeader.NAME);
            // the hop log's line (null when it is off): the call's value is its trace (OutgoingCall.forward)
            // (nothing here may throw: the call below must begin)
            URI uri = request instanceof HttpUriRequest ? ((HttpUriRequest) request).getURI() : null;
            if (uri != null && uri.isAbsolute()) {
                hop = OutgoingHop.begin(((HttpUriRequest) request).getMethod(), uri);
            } else if (target != null) {
                RequestLine line = request.getRequestLine();
                hop = OutgoingHop.begin(line.getMethod(), target.getSchemeName(), target.getHostName(),
                        target.getPort(), line.getUri());
            }
            return OutgoingCall.begin();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Argument(1) HttpRequest request, @Advice.Enter OutgoingCall call,
                @Advice.Local("albtraceOwn") Header[] own, @Advice.Local("albtraceHop") OutgoingHop hop,
                @Advice.Return HttpResponse response) {
            if (hop != null) {
                hop.end();
                // after redirects and retries: the final response's status
                hop.finish(response == null || response.getStatusLine() == null ? -1
                        : response.getStatusLine().getStatusCode());
            }
            if (call == null) {
                return;
            }
            call.end();
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

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
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.net.URIAuthority;

/**
 * HttpClient 5 classic (5.0 to 5.6): {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)} of
 * {@code InternalHttpClient} (what {@code HttpClients.createDefault()}, {@code custom()...build()},
 * {@code createSystem()} and the fluent API's {@code Executor} make) and {@code MinimalHttpClient}
 * ({@code createMinimal()}). Every {@code execute}/{@code executeOpen} overload of {@code CloseableHttpClient}
 * ends there, on the caller's thread, and the whole exchange (redirects, authentication, retries) runs inside it.
 *
 * <p>The advice begins an {@link OutgoingCall} on the caller's thread for the duration of the call; the connection
 * ({@link ClassicConnectionInstrumentation}) writes its value on every send. {@code InternalHttpClient} sends
 * copies of the application's request; {@code MinimalHttpClient} sends the application's object itself, so on
 * exit its trace headers are put back as the application left them: a request object executed again gets the
 * header of the second call's context, not a copy of the first call's value that would look application-set.
 */
public final class ClassicHttpClientInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("org.apache.hc.client5.http.impl.classic.InternalHttpClient",
                "org.apache.hc.client5.http.impl.classic.MinimalHttpClient");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("doExecute")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpHost")))
                        .and(takesArgument(1, named("org.apache.hc.core5.http.ClassicHttpRequest")))
                        .and(takesArgument(2, named("org.apache.hc.core5.http.protocol.HttpContext"))),
                ClassicHttpClientInstrumentation.class.getName() + "$DoExecuteAdvice");
    }

    /** Begins the call on entry; ends it, and puts the application's trace headers back, on exit. */
    public static final class DoExecuteAdvice {

        private DoExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingCall enter(@Advice.Argument(0) HttpHost target,
                @Advice.Argument(1) ClassicHttpRequest request,
                @Advice.Local("albtraceOwn") Header[] own, @Advice.Local("albtraceHop") OutgoingHop hop) {
            own = request.getHeaders(TraceHeader.NAME);
            // the hop log's line (null when it is off): the call's value is its trace (OutgoingCall.forward)
            if (target != null) {
                hop = OutgoingHop.begin(request.getMethod(), target.getSchemeName(), target.getHostName(),
                        target.getPort(), request.getPath());
            } else {
                URIAuthority authority = request.getAuthority();
                hop = OutgoingHop.begin(request.getMethod(), request.getScheme(),
                        authority == null ? null : authority.getHostName(), authority == null ? -1 : authority.getPort(),
                        request.getPath());
            }
            return OutgoingCall.begin();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Argument(1) ClassicHttpRequest request, @Advice.Enter OutgoingCall call,
                @Advice.Local("albtraceOwn") Header[] own, @Advice.Local("albtraceHop") OutgoingHop hop,
                @Advice.Return CloseableHttpResponse response) {
            if (hop != null) {
                hop.end();
                hop.finish(response == null ? -1 : response.getCode()); // after redirects and retries: the final
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

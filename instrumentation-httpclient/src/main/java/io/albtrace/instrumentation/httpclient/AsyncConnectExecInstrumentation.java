package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * HttpClient 5 async (5.0 to 5.6): {@code AsyncConnectExec#execute}, the element of {@code InternalHttpAsyncClient}'s
 * chain that opens the connection, before {@link AsyncMainClientExecInstrumentation} sees the request: the hop log's
 * line ({@link AsyncHttpClientInstrumentation}) learns what the request is here, so that a call whose connection
 * cannot be opened still says its method, host and path. Nothing when the hop log is off (the call has no hop).
 */
public final class AsyncConnectExecInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.hc.client5.http.impl.async.AsyncConnectExec");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("execute")
                        .and(takesArguments(5))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest")))
                        .and(takesArgument(2, named("org.apache.hc.client5.http.async.AsyncExecChain$Scope"))),
                AsyncConnectExecInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Gives the call's hop its request, the first time. */
    public static final class ExecuteAdvice {

        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpRequest request,
                @Advice.Argument(2) AsyncExecChain.Scope scope) {
            Object kept = scope.clientContext.getAttribute(OutgoingCall.ATTRIBUTE);
            OutgoingHop hop = kept instanceof OutgoingCall ? ((OutgoingCall) kept).hop() : null;
            if (hop != null) {
                URIAuthority authority = request.getAuthority();
                hop.request(request.getMethod(), request.getScheme(),
                        authority == null ? null : authority.getHostName(), authority == null ? -1 : authority.getPort(),
                        request.getPath());
            }
        }
    }
}

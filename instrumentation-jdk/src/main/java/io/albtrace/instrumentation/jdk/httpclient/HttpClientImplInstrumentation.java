package io.albtrace.instrumentation.jdk.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.OutgoingHop;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.bytebuddy.asm.Advice;

/**
 * The hop log's {@code out} line (SPEC 8) of the JDK's {@code HttpClient}: {@code HttpClientImpl}'s private
 * {@code sendAsync(HttpRequest, BodyHandler, PushPromiseHandler, Executor)}, which {@code send} and both public
 * {@code sendAsync} call on the caller's thread (JDK 17 and 25). The hop is begun there, so the internal copy of the
 * request made inside it ({@link HttpRequestImplInstrumentation}) gives it the value it forwards, and the future the
 * method returns finishes it: with the final response's status (after the redirects, authentication follow-ups and
 * retries the client makes inside the call), or none when the call failed. Nothing when the hop log is off.
 */
public final class HttpClientImplInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("jdk.internal.net.http.HttpClientImpl");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("sendAsync")
                        .and(takesArguments(4))
                        .and(takesArgument(0, named("java.net.http.HttpRequest")))
                        .and(takesArgument(3, named("java.util.concurrent.Executor"))),
                HttpClientImplInstrumentation.class.getName() + "$SendAdvice");
    }

    /** Begins the hop on the caller's thread; the returned future finishes it. */
    public static final class SendAdvice {

        private SendAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingHop enter(@Advice.Argument(0) HttpRequest request) {
            return OutgoingHop.begin(request.method(), request.uri());
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter OutgoingHop hop, @Advice.Return CompletableFuture<?> future) {
            if (hop != null) {
                hop.end();
                if (future == null) {
                    hop.finish(-1);
                } else {
                    future.whenComplete(hop);
                }
            }
        }
    }
}

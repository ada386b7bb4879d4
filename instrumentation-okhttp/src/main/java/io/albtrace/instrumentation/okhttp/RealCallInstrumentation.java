package io.albtrace.instrumentation.okhttp;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import okhttp3.Request;

/**
 * {@code RealCall}, OkHttp's one call object: {@code okhttp3.RealCall} in 3.x,
 * {@code okhttp3.internal.connection.RealCall} in 4.x and 5.x. Every call is constructed as
 * {@code RealCall(OkHttpClient, Request originalRequest, boolean forWebSocket)} on the thread that makes it:
 * {@code newCall} for {@code execute()} and {@code enqueue()}, and the WebSocket upgrade. The advice gives
 * the constructor the request with its {@code X-Amzn-Trace-Id} already forwarded, so:
 * <ul>
 *   <li>the context is the caller's, also for {@code enqueue()} (SPEC 5.2);</li>
 *   <li>redirects, authentication and retries, which OkHttp derives from the call's request inside the call,
 *       carry the same value and are not rewritten (SPEC 3);</li>
 *   <li>{@code call.request()} shows the header that is sent.</li>
 * </ul>
 * Only the headers the application set are known here, so the size rule over all request headers, OkHttp's
 * own included, is applied where they are written ({@link ExchangeInstrumentation}), once per request.
 */
public final class RealCallInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Arrays.asList("okhttp3.RealCall", "okhttp3.internal.connection.RealCall");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor()
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("okhttp3.OkHttpClient")))
                        .and(takesArgument(1, named("okhttp3.Request")))
                        .and(takesArgument(2, boolean.class)),
                RealCallInstrumentation.class.getName() + "$ConstructorAdvice");
    }

    /** Replaces the call's request by one that carries exactly one, forwarded, trace header. */
    public static final class ConstructorAdvice {

        private ConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 1, readOnly = false) Request request) {
            // every copy, names matched case-insensitively; the first value counts (SPEC 2.1)
            List<String> own = request.headers(TraceHeader.NAME);
            // the size rule is applied where all headers are known (ExchangeInstrumentation), so none counted here;
            // header() replaces every copy: exactly one leaves (SPEC 3)
            request = request.newBuilder()
                    .header(TraceHeader.NAME, Outgoing.header(own.isEmpty() ? null : own.get(0), 0))
                    .build();
        }
    }
}

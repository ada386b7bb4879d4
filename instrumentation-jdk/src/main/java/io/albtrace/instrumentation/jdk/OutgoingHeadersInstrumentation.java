package io.albtrace.instrumentation.jdk;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.net.http.HttpHeaders;
import java.util.Collections;
import java.util.List;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.frame.OutgoingHeaders(HttpHeaders system, HttpHeaders user, T)}: the HTTP/2
 * request HEADERS frame, made by {@code Stream.headerFrame} with the request's final headers. The size rule
 * (SPEC 3) over them all (pseudo-headers are not request headers and are not counted); not forwarded again.
 */
public final class OutgoingHeadersInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("jdk.internal.net.http.frame.OutgoingHeaders");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(isConstructor()
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("java.net.http.HttpHeaders")))
                        .and(takesArgument(1, named("java.net.http.HttpHeaders"))),
                OutgoingHeadersInstrumentation.class.getName() + "$ConstructorAdvice");
    }

    /** The size rule over the complete HTTP/2 headers. */
    public static final class ConstructorAdvice {

        private ConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) HttpHeaders system,
                @Advice.Argument(value = 1, readOnly = false) HttpHeaders user) {
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case
            List<String> values = user.map().get(TraceHeader.NAME);
            String trace = values == null || values.isEmpty() ? null : values.get(0);
            if (trace != null) {
                long all = Outgoing.headerBytes(system.map(), null) + Outgoing.headerBytes(user.map(), null);
                String limited = Outgoing.onWire(trace, all);
                if (limited != trace) {
                    user = HttpHeaders.of(Outgoing.withTraceHeader(user.map(), limited), Utils.ACCEPT_ALL);
                }
            }
        }
    }
}

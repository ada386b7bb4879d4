package io.albtrace.instrumentation.jdk;

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
import jdk.internal.net.http.common.HttpHeadersBuilder;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.Http1Request#collectHeaders0(StringBuilder)}: the HTTP/1.1 request headers are
 * final here (the client's own {@code Host}, {@code User-Agent}, {@code Content-Length}, {@code Cookie},
 * {@code Authorization}, the h2c {@code Upgrade} headers, and the user headers). The size rule (SPEC 3) is
 * applied to them all: over the bound, the trace header is cut to its {@code Root}. Not forwarded again.
 */
public final class Http1RequestInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("jdk.internal.net.http.Http1Request");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("collectHeaders0")
                        .and(takesArguments(1))
                        .and(takesArgument(0, StringBuilder.class)),
                Http1RequestInstrumentation.class.getName() + "$CollectHeadersAdvice");
    }

    /** The size rule over the complete HTTP/1.1 headers. */
    public static final class CollectHeadersAdvice {

        private CollectHeadersAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue(value = "userHeaders", readOnly = false) HttpHeaders userHeaders,
                @Advice.FieldValue("systemHeadersBuilder") HttpHeadersBuilder systemHeaders) {
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case
            List<String> values = userHeaders.map().get(TraceHeader.NAME);
            String trace = values == null || values.isEmpty() ? null : values.get(0);
            if (trace != null) {
                // the client sends a system header only when the application did not set one of that name
                long all = Outgoing.headerBytes(userHeaders.map(), null)
                        + Outgoing.headerBytes(systemHeaders.map(), userHeaders.map());
                String limited = Outgoing.onWire(trace, all);
                if (limited != trace) {
                    userHeaders = HttpHeaders.of(Outgoing.withTraceHeader(userHeaders.map(), limited),
                            Utils.ACCEPT_ALL);
                }
            }
        }
    }
}

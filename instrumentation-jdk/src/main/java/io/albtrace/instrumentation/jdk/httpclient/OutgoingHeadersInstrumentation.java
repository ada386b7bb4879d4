package io.albtrace.instrumentation.jdk.httpclient;

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
import java.util.Map;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.frame.OutgoingHeaders(HttpHeaders system, HttpHeaders user, T)}: the HTTP/2
 * request HEADERS frame, made by {@code Stream.headerFrame} with the request's final headers: the system headers
 * (the forwarded value among them, when the application set none) and the user headers. The size rule (SPEC 3)
 * over them all (pseudo-headers are not request headers and are not counted); not forwarded again. Over the bound,
 * the frame gets a copy of the headers that hold the value with it cut; the request keeps its value.
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
        public static void enter(@Advice.Argument(value = 0, readOnly = false) HttpHeaders system,
                @Advice.Argument(value = 1, readOnly = false) HttpHeaders user) {
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case.
            // The application's header is among the user headers; the forwarded value otherwise among the system
            // headers (HttpRequestImplInstrumentation), which the JDK has already cleared of any name the user
            // headers have: one of the two, at most.
            Map<String, List<String>> userMap = user.map();
            Map<String, List<String>> systemMap = system.map();
            List<String> values = userMap.get(TraceHeader.NAME);
            boolean inUser = values != null && !values.isEmpty();
            if (!inUser) {
                values = systemMap.get(TraceHeader.NAME);
            }
            String trace = values == null || values.isEmpty() ? null : values.get(0);
            if (trace != null) {
                long all = (systemMap.isEmpty() ? 0 : Outgoing.headerBytes(systemMap, null))
                        + (userMap.isEmpty() ? 0 : Outgoing.headerBytes(userMap, null));
                String limited = Outgoing.onWire(trace, all);
                if (limited != trace) {
                    if (inUser) {
                        user = HttpHeaders.of(Outgoing.withTraceHeader(userMap, limited), Utils.ACCEPT_ALL);
                    } else {
                        system = HttpHeaders.of(Outgoing.withTraceHeader(systemMap, limited), Utils.ACCEPT_ALL);
                    }
                }
            }
        }
    }
}

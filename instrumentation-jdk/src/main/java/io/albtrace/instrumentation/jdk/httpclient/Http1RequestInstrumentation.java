package io.albtrace.instrumentation.jdk.httpclient;

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
import java.util.NavigableMap;
import jdk.internal.net.http.common.HttpHeadersBuilder;
import jdk.internal.net.http.common.Utils;
import net.bytebuddy.asm.Advice;

/**
 * {@code jdk.internal.net.http.Http1Request#collectHeaders0(StringBuilder)}: the HTTP/1.1 request headers are
 * final here (the client's own {@code Host}, {@code User-Agent}, {@code Content-Length}, {@code Cookie},
 * {@code Authorization}, the h2c {@code Upgrade} headers, and the user headers); the method appends them to the
 * request line in {@code sb}. The size rule (SPEC 3) is applied to them all: over the bound, the trace header is
 * cut to its {@code Root}. Not forwarded again.
 *
 * <p>A value kept among the system headers ({@link HttpRequestImplInstrumentation}) is taken out of them for
 * the duration of the method, so that the JDK's copies of the headers (two {@code HttpHeaders.of} and a
 * {@code firstValue} stream per system header, some 400 B) do not carry it, and its line is appended here, once,
 * after the request line; it is put back on the way out, for a retry of the same request or a redirect derived
 * from it. {@code sb} is made big enough for every line at once: one copy of the request line, not two.
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

    /** The trace header line and the size rule over the complete HTTP/1.1 headers. */
    public static final class CollectHeadersAdvice {

        private CollectHeadersAdvice() {
        }

        /** Returns the system headers' trace value list it took out, to be put back on exit; else null. */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static List<String> enter(@Advice.Argument(0) StringBuilder sb,
                @Advice.FieldValue(value = "userHeaders", readOnly = false) HttpHeaders userHeaders,
                @Advice.FieldValue("systemHeadersBuilder") HttpHeadersBuilder systemHeaders) {
            Map<String, List<String>> user = userHeaders.map();
            Map<String, List<String>> system = systemHeaders.map();
            // firstValue(name) without its stream and Optional (some 200 B a request): the map's names ignore case
            List<String> values = user.get(TraceHeader.NAME);
            if (values != null && !values.isEmpty()) {
                // the application's header, already forwarded: the JDK writes it among the user headers
                String trace = values.get(0);
                // the client sends a system header only when the application did not set one of that name
                long all = Outgoing.headerBytes(user, null) + Outgoing.headerBytes(system, user);
                String limited = Outgoing.onWire(trace, all);
                if (limited != trace) {
                    userHeaders = HttpHeaders.of(Outgoing.withTraceHeader(user, limited), Utils.ACCEPT_ALL);
                }
                return null;
            }
            List<String> kept = system.get(TraceHeader.NAME);
            if (kept == null || kept.isEmpty()) {
                return null; // a request made before the agent, or a proxy's CONNECT: nothing to write
            }
            String trace = kept.get(0);
            long others = user.isEmpty() ? 0 : Outgoing.headerBytes(user, null);
            if (system instanceof NavigableMap) {
                // by key: a walk that allocates nothing (an entry iterator or exported entries would)
                NavigableMap<String, List<String>> byName = (NavigableMap<String, List<String>>) system;
                String name = byName.firstKey();
                while (name != null) {
                    if (!TraceHeader.NAME.equalsIgnoreCase(name) && !user.containsKey(name)) {
                        List<String> v = byName.get(name);
                        for (int i = 0, n = v == null ? 0 : v.size(); i < n; i++) {
                            others += TraceHeader.lineBytes(name, v.get(i));
                        }
                    }
                    name = byName.higherKey(name);
                }
            } else {
                others += Outgoing.headerBytes(system, user);
                for (int i = 0, n = kept.size(); i < n; i++) {
                    others -= TraceHeader.lineBytes(TraceHeader.NAME, kept.get(i));
                }
            }
            String line = Outgoing.onWire(trace, others + TraceHeader.lineBytes(TraceHeader.NAME, trace));
            // the request line, every header line (an upper bound: the JDK may drop or merge some) and the
            // blank line, so that the builder grows once
            sb.ensureCapacity(sb.length() + (int) Math.min(others, 1 << 20) + TraceHeader.lineBytes(TraceHeader.NAME,
                    line) + 2);
            sb.append(TraceHeader.NAME).append(':').append(' ').append(line).append('\r').append('\n');
            // last: should anything above fail, the JDK writes the value among the system headers itself, once
            system.remove(TraceHeader.NAME);
            return kept;
        }

        /** Puts the value back among the system headers, as it was (the size rule is for this write only). */
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        public static void exit(@Advice.Enter List<String> kept,
                @Advice.FieldValue("systemHeadersBuilder") HttpHeadersBuilder systemHeaders) {
            if (kept != null) {
                systemHeaders.map().put(TraceHeader.NAME, kept);
            }
        }
    }
}

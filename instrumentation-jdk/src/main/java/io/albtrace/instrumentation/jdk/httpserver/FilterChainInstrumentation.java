package io.albtrace.instrumentation.jdk.httpserver;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.albtrace.core.HopLog;
import io.albtrace.core.ServerEntry;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code com.sun.net.httpserver.Filter.Chain#doFilter(HttpExchange)}: the JDK server (and {@code HttpsServer})
 * runs every request through it, on the thread that serves it, around the application's filters and its
 * {@code HttpHandler}. The outermost call binds the request's context with {@link ServerEntry} (SPEC 4); the
 * filters' own {@code chain.doFilter} calls and the handler nested in them find an entry open and bind nothing.
 * The entry is closed when the chain returns or throws, so a pooled server thread carries nothing into its next
 * request. With {@code albtrace.response.header=true} the response gets {@code X-Amzn-Trace-Id: Root=<root>}
 * before the application's code runs; a response whose headers cannot be changed is reported once and the
 * request goes ahead with its context all the same. An exchange whose methods throw (a wrapper) is served as
 * if the agent were absent: nothing is bound, so nothing can be left on the thread. With the hop log on
 * ({@code albtrace.hoplog}), the request's {@code in} line is queued when the chain returns or throws, with the
 * response's status ({@code HttpExchange.getResponseCode()}; none when no response was sent).
 */
public final class FilterChainInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("com.sun.net.httpserver.Filter$Chain");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("doFilter")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("com.sun.net.httpserver.HttpExchange"))),
                FilterChainInstrumentation.class.getName() + "$DoFilterAdvice");
    }

    /** Enters and leaves the request. */
    public static final class DoFilterAdvice {

        private DoFilterAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static ServerEntry enter(@Advice.Argument(0) HttpExchange exchange) {
            if (ServerEntry.inside()) {
                return null;
            }
            // Everything that calls the application's objects comes before the entry is opened, and the entry
            // sets the response header itself, guarded: once it is open nothing here can throw, so the exit
            // advice always gets it to close.
            Headers response = ServerEntry.responseHeaderEnabled() ? exchange.getResponseHeaders() : null;
            Headers request = exchange.getRequestHeaders();
            String incoming = request.getFirst(TraceHeader.NAME);
            ClassLoader loader = exchange.getHttpContext().getHandler().getClass().getClassLoader();
            String method = null;
            String host = null;
            int port = 0;
            String path = null;
            if (HopLog.on()) {
                // what the hop log's in line says (SPEC 8): the Host header, else the address the request came to
                method = exchange.getRequestMethod();
                InetSocketAddress local = exchange.getLocalAddress();
                host = request.getFirst("Host");
                if (host == null) {
                    host = local.getHostString();
                }
                port = local.getPort();
                path = exchange.getRequestURI().getRawPath();
            }
            ServerEntry entry = ServerEntry.enter(incoming, loader, response, true);
            if (entry != null) {
                entry.request(method, host, port, path);
            }
            return entry;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter ServerEntry entry, @Advice.Argument(0) HttpExchange exchange) {
            if (entry != null) {
                entry.close();
                if (entry.logsHop()) {
                    // -1 when no response was sent (a handler that threw: the server closes the connection)
                    entry.finish(exchange.getResponseCode());
                }
            }
        }
    }
}

package io.albtrace.instrumentation.undertow;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.ServerEntry;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import net.bytebuddy.asm.Advice;

/**
 * {@code io.undertow.server.Connectors#executeRootHandler(HttpHandler, HttpServerExchange)}: where Undertow runs a
 * request's handlers, for every request of every connector (HTTP/1.1, HTTP/2, AJP): on the I/O thread when the
 * request's head is read, and again, on the executor's thread, for each {@code exchange.dispatch(handler)} (a
 * {@code BlockingHandler}, the servlet layer's move to a worker, a servlet's asynchronous dispatch). Each call binds
 * the request's context for exactly its duration:
 * <ul>
 *   <li>the exchange's first call enters the request ({@link ServerEntry#enter}: the incoming header, the MDC, the
 *       response header when asked for, the hop log line) and keeps the entry in the exchange
 *       ({@link UndertowExchanges}); its hop log line is queued when the exchange completes, with its status;</li>
 *   <li>a later call for the same exchange binds the context kept there again ({@link ServerEntry#resume}), so one
 *       request is one context and one hop log line however many threads it crosses;</li>
 *   <li>a call made while an entry is open on the thread (a dispatch run in place by {@code SameThreadExecutor}) is
 *       nested and binds nothing; so is what runs inside (the servlet entry of Undertow's servlet layer).</li>
 * </ul>
 * Each request on a kept-alive connection is a new exchange, so gets its own context.
 */
public final class ConnectorsInstrumentation implements TypeInstrumentation {

    static final String TYPE = "io.undertow.server.Connectors";
    static final String EXCHANGES = "io.albtrace.instrumentation.undertow.UndertowExchanges";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("executeRootHandler").and(takesArguments(2))
                        .and(takesArgument(0, named("io.undertow.server.HttpHandler")))
                        .and(takesArgument(1, named("io.undertow.server.HttpServerExchange"))),
                ConnectorsInstrumentation.class.getName() + "$RootHandlerAdvice");
    }

    /** Enters, or resumes, the exchange's request around its handlers; leaves it after. */
    public static final class RootHandlerAdvice {

        private RootHandlerAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public static ServerEntry enter(@Advice.Argument(0) HttpHandler handler,
                @Advice.Argument(1) HttpServerExchange exchange) {
            if (ServerEntry.inside() || exchange == null) {
                return null;
            }
            Object helper = LibraryHelpers.instance(HttpServerExchange.class, EXCHANGES);
            if (helper == null) {
                return null;
            }
            AttachmentKey key = (AttachmentKey) ((Supplier<Object>) helper).get();
            ClassLoader loader = handler == null ? null : handler.getClass().getClassLoader();
            Object first = exchange.getAttachment(key);
            if (first != null) {
                // a later pass of the same request (a dispatch): its own context again, no new line
                return ServerEntry.resume(((ServerEntry) first).context(), loader);
            }
            ServerEntry entry = ServerEntry.enter(exchange.getRequestHeaders().getFirst(TraceHeader.NAME), loader,
                    null, true);
            if (entry == null) {
                return null;
            }
            exchange.putAttachment(key, entry);
            String header = entry.responseHeader();
            if (header != null) {
                exchange.getResponseHeaders().put(new HttpString(TraceHeader.NAME), header);
            }
            if (entry.logsHop()) {
                // what the hop log's in line says (SPEC 8): the Host header (else the name Undertow gives the
                // server: HTTP/2's authority, the address) and the port the request came to, the path without the
                // query string
                InetSocketAddress local = exchange.getDestinationAddress();
                String host = exchange.getRequestHeaders().getFirst("Host");
                entry.request(exchange.getRequestMethod().toString(), host == null ? exchange.getHostName() : host,
                        local == null ? -1 : local.getPort(), exchange.getRequestURI());
                exchange.addExchangeCompleteListener(
                        (ExchangeCompletionListener) ((Function<Object, Object>) helper).apply(entry));
            }
            return entry;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter ServerEntry entry) {
            if (entry != null) {
                entry.close();
            }
        }
    }
}

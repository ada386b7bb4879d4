package io.albtrace.instrumentation.jetty.server;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.AsyncContexts;
import io.albtrace.core.HopLog;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.ServerEntry;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;

/**
 * {@code org.eclipse.jetty.server.Server#handle(Request, Response, Callback)}: where Jetty 12's channel hands each
 * request to the handler tree, once per request, on the thread that serves it (a pool thread, or the selector's thread
 * running it in place). The whole tree runs inside (every {@code Handler.Wrapper}, {@code ContextHandler}, the
 * application's {@code Handler.Abstract}, and the ee10 servlet layer, whose servlet entry finds the request's entry open
 * and binds nothing more), so the request's context is bound there, once, for exactly that call ({@link ServerEntry}:
 * the incoming header, the MDC, the response header when asked for, the hop log line).
 *
 * <p>The context is kept in the request's attributes under {@value AsyncContexts#ATTRIBUTE}, the name the servlet
 * entry keeps its own under: a later pass of the same request through the servlet layer (an asynchronous dispatch, an
 * {@code AsyncContext.start} task from a thread with no context) binds that context again rather than making a new
 * one, and makes no second hop log line; the request's demand callbacks read it too
 * ({@link ChannelRequestDemandInstrumentation}). The hop log line is queued when the request completes (its
 * {@code Callback} succeeded or failed, the response written), with the response's status, whichever thread that is.
 */
public final class ServerHandleInstrumentation implements TypeInstrumentation {

    static final String TYPE = "org.eclipse.jetty.server.Server";
    static final String LISTENERS = "io.albtrace.instrumentation.jetty.server.JettyRequestListeners";

    @Override
    public List<String> typeNames() {
        return Collections.singletonList(TYPE);
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("handle").and(takesArguments(3))
                        .and(takesArgument(0, named("org.eclipse.jetty.server.Request")))
                        .and(takesArgument(1, named("org.eclipse.jetty.server.Response")))
                        .and(takesArgument(2, named("org.eclipse.jetty.util.Callback"))),
                ServerHandleInstrumentation.class.getName() + "$HandleAdvice");
    }

    /** Enters the request around the handler tree; leaves it after. */
    public static final class HandleAdvice {

        private HandleAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        @SuppressWarnings("unchecked")
        public static ServerEntry enter(@Advice.This Server server, @Advice.Argument(0) Request request,
                @Advice.Argument(1) Response response) {
            if (ServerEntry.inside() || request == null) {
                return null;
            }
            Handler handler = server.getHandler();
            ClassLoader loader = (handler == null ? server : handler).getClass().getClassLoader();
            Object first = request.getAttribute(AsyncContexts.ATTRIBUTE);
            if (first instanceof String) {
                // the same request handed to the tree again: its own context, no new line
                return ServerEntry.resume((String) first, loader);
            }
            String method = null;
            String host = null;
            int port = 0;
            String path = null;
            if (HopLog.on()) {
                // what the hop log's in line says (SPEC 8): the Host header (else the name Jetty gives the server)
                // and the port the request came to, the path without the query string
                method = request.getMethod();
                host = request.getHeaders().get("Host");
                if (host == null) {
                    host = Request.getServerName(request); // HTTP/2: the request's authority, else the server's
                }
                port = Request.getLocalPort(request);
                path = request.getHttpURI().getPath();
            }
            ServerEntry entry = ServerEntry.enter(request.getHeaders().get(TraceHeader.NAME), loader, null, true);
            if (entry == null) {
                return null;
            }
            request.setAttribute(AsyncContexts.ATTRIBUTE, entry.context());
            String header = entry.responseHeader();
            if (header != null && response != null) {
                response.getHeaders().put(TraceHeader.NAME, header);
            }
            if (entry.logsHop()) {
                entry.request(method, host, port, path);
                BiFunction<Object, Object, Object> listeners = (BiFunction<Object, Object, Object>)
                        LibraryHelpers.instance(Request.class, LISTENERS);
                if (listeners != null && response != null) {
                    Request.addCompletionListener(request, (Consumer<Throwable>) listeners.apply(entry, response));
                }
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

package io.albtrace.instrumentation.servlet;

import io.albtrace.core.AsyncContexts;
import io.albtrace.core.HopLog;
import io.albtrace.core.Log;
import io.albtrace.core.ServerEntry;
import io.albtrace.core.TraceHeader;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * The server entry advice for containers of the {@code javax.servlet} API (Servlet 3.1 and 4: Tomcat 9, Jetty 9.4
 * and 10). The build makes {@code JakartaAdvice}, the same advice for {@code jakarta.servlet} (Servlet 5 and 6),
 * from this file by replacing the package name (see the pom): edit only this one.
 */
public final class JavaxAdvice {

    private JavaxAdvice() {
    }

    /**
     * Around a container method that runs a request's filters and servlet ({@link ServletEntryInstrumentation}).
     * The outermost call on a thread binds the request's context with {@link ServerEntry} (SPEC 4); calls nested in
     * it (the filters' own {@code chain.doFilter}, a forward, an include, the servlet's {@code service}) find an
     * entry open and bind nothing. The entry is closed when the call returns or throws, so a pooled container thread
     * carries nothing into its next request.
     *
     * <p>The first entry of a request keeps its context in the request attribute
     * {@value Servlets#CONTEXT_ATTRIBUTE}; a later entry of the same request (an asynchronous {@code dispatch}, an
     * error page) binds that context again rather than reading the header a second time, so a request that came
     * without a header keeps the one Root made for it. With {@code albtrace.response.header=true} the first entry
     * sets {@code X-Amzn-Trace-Id: Root=<root>} on the response before the application's code runs.
     *
     * <p>With the hop log on ({@code albtrace.hoplog}), the first entry makes the request's {@code in} line (SPEC 8),
     * queued when the call returns or throws, with the response's status; for a request that went asynchronous, when
     * it completes ({@link AsyncContexts#finishWhenComplete}), however many dispatches it took.
     *
     * <p>The methods take the request and the response at different positions (first and second in a filter chain
     * or {@code service}, third and fourth in Jetty's handlers), so the advice takes them, from the end, as the last
     * {@code HttpServletResponse} and {@code HttpServletRequest} among the arguments. It is inlined into the
     * container's classes: it uses only the servlet API, the JDK and the core classes (in the bootstrap class
     * loader). Everything that can throw once the entry is open is guarded, so the exit advice always closes it.
     */
    public static final class Entry {

        private Entry() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static ServerEntry enter(@Advice.AllArguments Object[] arguments,
                @Advice.Local("request") HttpServletRequest request,
                @Advice.Local("response") HttpServletResponse response) {
            if (ServerEntry.inside()) {
                return null;
            }
            for (int i = arguments.length - 1; i >= 0 && request == null; i--) {
                if (response == null && arguments[i] instanceof HttpServletResponse) {
                    response = (HttpServletResponse) arguments[i];
                } else if (arguments[i] instanceof HttpServletRequest) {
                    request = (HttpServletRequest) arguments[i];
                }
            }
            if (request == null) {
                return null;
            }
            Object first = request.getAttribute(Servlets.CONTEXT_ATTRIBUTE);
            if (first != null) {
                // a later pass (an async dispatch): the threads the previous pass started lose the context now
                Object kept = request.getAttribute(Servlets.KEPT_ATTRIBUTE);
                if (kept != null) {
                    request.removeAttribute(Servlets.KEPT_ATTRIBUTE);
                    AsyncContexts.redispatched(kept);
                }
            }
            String method = null;
            String host = null;
            int port = 0;
            String path = null;
            if (first == null && HopLog.on()) {
                // what the hop log's in line says (SPEC 8): the host and port the request was sent to, as the
                // container reads them from its Host header (else its own address), the path without the query
                method = request.getMethod();
                host = request.getServerName();
                port = request.getServerPort();
                path = request.getRequestURI();
            }
            ServerEntry entry = ServerEntry.enter(first instanceof String ? (String) first
                    : request.getHeader(TraceHeader.NAME), request.getClass().getClassLoader(), null, first == null);
            if (entry != null) {
                entry.request(method, host, port, path);
            }
            if (entry != null && first == null) {
                try {
                    request.setAttribute(Servlets.CONTEXT_ATTRIBUTE, entry.context());
                    String header = entry.responseHeader();
                    if (header != null && response != null) {
                        response.setHeader(TraceHeader.NAME, header);
                    }
                } catch (Throwable e) {
                    Log.warnOnce("servlet-entry", Servlets.FIRST_ENTRY_FAILED + e);
                }
            }
            return entry;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter ServerEntry entry, @Advice.Local("request") HttpServletRequest request,
                @Advice.Local("response") HttpServletResponse response, @Advice.Thrown Throwable thrown) {
            if (entry != null) {
                if (entry.startedThreads()) {
                    // the handler started threads: where the request goes on asynchronously, they keep its context
                    // until it completes (AsyncContext.complete) or is dispatched again, not just until this returns
                    AsyncContexts.keepForAsync(request, entry);
                }
                entry.close();
                if (entry.logsHop()) {
                    if (request.isAsyncStarted()) {
                        // an asynchronous request: its line when it completes (its status then)
                        AsyncContexts.finishWhenComplete(request, entry);
                    } else if (response == null) {
                        entry.finish(-1);
                    } else {
                        // a failure the container answers with a 500 unless the response was sent already
                        entry.finish(thrown != null && !response.isCommitted() ? 500 : response.getStatus());
                    }
                }
            }
        }
    }
}

package io.albtrace.instrumentation.servlet;

import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import javax.servlet.AsyncContext;
import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.FilterRegistration;
import javax.servlet.ServletContainerInitializer;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletException;
import javax.servlet.ServletRegistration;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestEvent;
import javax.servlet.ServletRequestListener;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The test application, for containers of the {@code javax.servlet} API; the build makes {@code JakartaApp} from
 * this file by replacing the package name (see the pom). Registered through the servlet API alone (an initializer
 * for Tomcat, a context listener for Jetty): a request listener and a filter on every dispatch that record the
 * context they see; servlets that serve the server entry contract's application ({@code /front}, {@code /handoff},
 * {@code /throws}, {@code /together/*}: {@link ServerEntryContract#serve}), and servlets that forward, include, and
 * go asynchronous in the three ways the API has, calling the back service with {@code HttpURLConnection}. Each
 * answers with the context it saw.
 */
public final class JavaxApp implements ServletContainerInitializer, ServletContextListener {

    /** A servlet's body. */
    interface Body {
        void serve(HttpServletRequest request, HttpServletResponse response) throws Exception;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        register(context);
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        register(event.getServletContext());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // nothing to undo
    }

    static void register(ServletContext context) {
        context.addListener(new ServletRequestListener() {
            @Override
            public void requestInitialized(ServletRequestEvent event) {
                Recorder.record("request-initialized");
            }

            @Override
            public void requestDestroyed(ServletRequestEvent event) {
                Recorder.record("request-destroyed");
            }
        });
        FilterRegistration.Dynamic filter = context.addFilter("recording", new Filter() {
            @Override
            public void init(FilterConfig config) {
                // Servlet 3.1 (Jetty 9.4) has no default
            }

            @Override
            public void destroy() {
                // Servlet 3.1 (Jetty 9.4) has no default
            }

            @Override
            public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                    throws IOException, ServletException {
                Recorder.record("filter-" + request.getDispatcherType());
                chain.doFilter(request, response);
            }
        });
        filter.setAsyncSupported(true);
        filter.addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");

        // the server entry contract's application (io.albtrace.contracts.ServerEntryContract#serve)
        for (String path : new String[] {"/front", "/handoff", "/throws"}) {
            servlet(context, path, (request, response) -> answer(response, ServerEntryContract.serve(path)));
        }
        servlet(context, "/together/*",
                (request, response) -> answer(response, ServerEntryContract.serve(request.getRequestURI())));
        servlet(context, "/forward", (request, response) -> {
            Recorder.record("forward");
            request.getRequestDispatcher("/front").forward(request, response);
        });
        servlet(context, "/include", (request, response) -> {
            Recorder.record("include");
            request.getRequestDispatcher("/front").include(request, response);
        });
        servlet(context, "/async-start", (request, response) -> {
            AsyncContext async = request.startAsync();
            async.start(() -> {
                try {
                    Recorder.record("async-task");
                    Recorder.callBack("/back/async-task");
                    answer((HttpServletResponse) async.getResponse());
                } catch (IOException e) {
                    Recorder.record("async-task-failed " + e);
                } finally {
                    async.complete();
                }
            });
        });
        // the task is started by the application's own thread, which has no context: it runs with the request's
        servlet(context, "/async-start-elsewhere", (request, response) -> ELSEWHERE.add(request.startAsync()));
        startElsewhere();
        servlet(context, "/async-dispatch", (request, response) -> {
            if (request.getDispatcherType() == DispatcherType.ASYNC) {
                Recorder.record("dispatched");
                Recorder.callBack("/back/dispatched");
                answer(response);
                return;
            }
            Recorder.record("before-dispatch");
            AsyncContext async = request.startAsync();
            Thread other = new Thread(() -> {
                Recorder.record("dispatching-thread");
                async.dispatch();
            }, "application-thread");
            other.start();
        });
        // the status is set by the thread that completes the request, after the servlet returned
        servlet(context, "/async-status", (request, response) -> {
            AsyncContext async = request.startAsync();
            new Thread(() -> {
                try {
                    ((HttpServletResponse) async.getResponse()).setStatus(207);
                    answer((HttpServletResponse) async.getResponse(), "late");
                } catch (IOException e) {
                    Recorder.record("async-status-failed " + e);
                } finally {
                    async.complete();
                }
            }, "application-thread").start();
        });
        servlet(context, "/async-complete", (request, response) -> {
            Recorder.record("before-complete");
            AsyncContext async = request.startAsync();
            Thread other = new Thread(() -> {
                try {
                    Recorder.record("completing-thread");
                    async.getResponse().getWriter().write("completed");
                } catch (IOException e) {
                    Recorder.record("completing-thread-failed " + e);
                } finally {
                    async.complete();
                }
                // the request is complete: once the container has left the servlet too, the context is gone (SPEC 5.5)
                for (int i = 0; i < 500 && Context.current() != null; i++) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                Recorder.record("completing-thread-after");
            }, "application-thread");
            other.start();
        });
    }

    /** The AsyncContexts that the application's own thread starts a task on. */
    private static final java.util.concurrent.BlockingQueue<AsyncContext> ELSEWHERE =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private static Thread elsewhere;

    /** Starts, once, the application's own thread that starts a task on each AsyncContext it is given. */
    private static synchronized void startElsewhere() {
        if (elsewhere != null) {
            return;
        }
        elsewhere = new Thread(() -> {
            try {
                while (true) {
                    AsyncContext async = ELSEWHERE.take();
                    Recorder.record("elsewhere-starter");
                    async.start(() -> {
                        try {
                            Recorder.record("elsewhere-task");
                            Recorder.callBack("/back/elsewhere-task");
                            answer((HttpServletResponse) async.getResponse());
                        } catch (IOException e) {
                            Recorder.record("elsewhere-task-failed " + e);
                        } finally {
                            async.complete();
                        }
                    });
                }
            } catch (InterruptedException e) {
                // the test JVM ends
            }
        }, "application-starter");
        elsewhere.setDaemon(true);
        elsewhere.start();
    }

    private static void servlet(ServletContext context, String path, Body body) {
        ServletRegistration.Dynamic registration = context.addServlet(path, new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response)
                    throws ServletException, IOException {
                try {
                    body.serve(request, response);
                } catch (IOException | ServletException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new ServletException(e);
                }
            }
        });
        registration.setAsyncSupported(true);
        registration.addMapping(path);
    }

    private static void answer(HttpServletResponse response) throws IOException {
        answer(response, String.valueOf(Context.current()));
    }

    private static void answer(HttpServletResponse response, String body) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write(body);
    }
}

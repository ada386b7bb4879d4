package io.albtrace.instrumentation.undertow;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undertow's servlet layer on its core, with both the undertow and the servlet instrumentation installed: the request
 * enters at Undertow's root handler (I/O thread), the servlet layer dispatches it to a worker, where the application's
 * filter and servlet run; the servlet entry finds the request's entry open there and binds nothing more. So one
 * request is one context (the filter, the servlet, the pool task all see the same) and one hop log {@code in} line:
 * the whole server entry contract ({@link ServerEntryContract}), whose hop log test requires exactly one line per
 * request.
 */
@ExtendWith(InstalledAgent.class)
class UndertowServletContractTest extends ServerEntryContract {

    /** Only where the run has Undertow's servlet layer of its core's version (the pom's default run: 2.3). */
    @org.junit.jupiter.api.BeforeAll
    void servletLayerOfThisRun() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("undertow.servlet"));
    }

    @Override
    protected List<String> outerPlaces() {
        return List.of("filter");
    }

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            DeploymentInfo info = Servlets.deployment().setClassLoader(getClass().getClassLoader())
                    .setContextPath("/").setDeploymentName("contract")
                    .addServlet(Servlets.servlet("app", App.class).addMapping("/*"))
                    .addFilter(Servlets.filter("outer", Outer.class))
                    .addFilterUrlMapping("outer", "/*", DispatcherType.REQUEST);
            DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
            manager.deploy();
            UndertowServer server = new UndertowServer(manager.start());
            ServerEntryAdapter.Running running = UndertowContractTest.running(server);
            return new ServerEntryAdapter.Running() {
                @Override
                public String url(String path) {
                    return running.url(path);
                }

                @Override
                public List<String> threadsNow() throws Exception {
                    return running.threadsNow();
                }

                @Override
                public void close() throws Exception {
                    manager.stop();
                    manager.undeploy();
                    running.close();
                }
            };
        };
    }

    /** The application's filter: records what it sees ({@code filter}), around the servlet. */
    public static final class Outer implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            ServerEntryContract.record("filter");
            chain.doFilter(request, response);
        }
    }

    /** The contract's application as a servlet. */
    public static final class App extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response)
                throws ServletException, IOException {
            String body;
            try {
                body = ServerEntryContract.serve(request.getRequestURI());
            } catch (Exception e) {
                throw new ServletException(e);
            }
            response.setContentType("text/plain");
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String toString() {
        return "undertow servlet " + System.getProperty("undertow.test.version");
    }
}

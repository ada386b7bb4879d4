package io.albtrace.instrumentation.jetty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.contracts.Balancer;
import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Context;
import io.albtrace.testing.Trace;
import jakarta.servlet.AsyncContext;
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
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jetty 12's ee10 servlet layer on the core server, with both the jetty and the servlet instrumentation installed: the
 * request enters at {@code Server.handle}, and the servlet entry inside ({@code ServletHandler$MappedServlet}) finds it
 * open and binds nothing more. One request is one context (the filter, the servlet, the pool task see the same) and
 * one hop log {@code in} line: the whole server entry contract ({@link ServerEntryContract}), whose hop log test
 * requires exactly one line per request; and an asynchronous dispatch, which runs outside {@code Server.handle},
 * binds the same context again, not a new one, with no second line.
 */
@ExtendWith(InstalledAgent.class)
class JettyServerEe10ContractTest extends ServerEntryContract {

    /** Only where the ee10 layer matches the core server (not the pom's jetty-server-12.0 run). */
    @org.junit.jupiter.api.BeforeAll
    void ee10LayerOfThisCore() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.eclipse.jetty.util.Jetty.VERSION.startsWith("12.1"));
    }

    @Override
    protected List<String> outerPlaces() {
        return List.of("filter");
    }

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> {
            ServletContextHandler context = new ServletContextHandler("/");
            context.addFilter(Outer.class, "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(App.class, "/*").setAsyncSupported(true);
            return JettyServerContractTest.running(new JettyServer(context));
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

    /**
     * The contract's application as a servlet; {@code /async} goes asynchronous and dispatches itself again, each pass
     * recording its context ({@code async-REQUEST}, {@code async-ASYNC}), the second answering it.
     */
    public static final class App extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response)
                throws ServletException, IOException {
            String body;
            if (request.getRequestURI().equals("/async")) {
                ServerEntryContract.record("async-" + request.getDispatcherType());
                if (request.getDispatcherType() == DispatcherType.REQUEST) {
                    AsyncContext async = request.startAsync();
                    async.dispatch();
                    return;
                }
                body = String.valueOf(Context.current());
            } else {
                try {
                    body = ServerEntryContract.serve(request.getRequestURI());
                } catch (Exception e) {
                    throw new ServletException(e);
                }
            }
            response.setContentType("text/plain");
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anAsynchronousDispatchBindsTheSameContextAgainWithOneHopLine() throws Exception {
        Balancer.Answer[] answer = new Balancer.Answer[1];
        List<String> lines = withHopLog(SERVICE, () -> answer[0] = call("/async", null), file -> {
            hopLines(file, 1);
            Thread.sleep(300); // a second line, were there one, would be written by now
            return hopLines(file, 1);
        });
        assertEquals(200, answer[0].status);
        String context = answer[0].body;
        Trace.assertForwarded("Root={NEW}", null, context);
        String seen = context + " | " + Trace.rootOf(context) + " | " + context;
        assertEquals(List.of(seen), at("async-REQUEST"), "the first pass");
        assertEquals(List.of(seen), at("async-ASYNC"), "the dispatch: the same context, not a new Root");
        assertEquals(List.of(inLine(Trace.rootOf(context), null, hostPort(), "/async", 200, null)), lines,
                "one hop log line");
        nothingOnTheServersThreads();
    }

    @Override
    public String toString() {
        return "jetty ee10 " + org.eclipse.jetty.util.Jetty.VERSION;
    }
}

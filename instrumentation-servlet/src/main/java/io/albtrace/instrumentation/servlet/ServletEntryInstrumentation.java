package io.albtrace.instrumentation.servlet;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import io.albtrace.instrumentation.api.MethodMatcher;

/**
 * Where a container runs a request's filters and servlet, on the thread that serves it (for every request, every
 * asynchronous dispatch and, nested, every forward and include):
 * <ul>
 * <li>Tomcat 9, 10.1, 11: {@code org.apache.catalina.core.ApplicationFilterChain#doFilter(ServletRequest,
 * ServletResponse)}, the chain {@code StandardWrapperValve} makes for each;</li>
 * <li>Jetty 9.4, 10, 11: {@code org.eclipse.jetty.servlet.ServletHandler#doHandle(String, Request,
 * HttpServletRequest, HttpServletResponse)}, and the same method of Jetty 12's ee8 and ee9 environments
 * ({@code org.eclipse.jetty.ee8|ee9.servlet.ServletHandler});</li>
 * <li>Jetty 12, ee10: {@code org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet#handle(ServletHandler,
 * String, HttpServletRequest, HttpServletResponse)};</li>
 * <li>any other container: the API's own {@code HttpServlet#service(ServletRequest, ServletResponse)}, where the
 * context is bound around the servlet (its filters run before and see none); inside the containers above it is
 * nested and binds nothing.</li>
 * </ul>
 * A class of the same name takes {@code javax.servlet} types in one version and {@code jakarta.servlet} types in
 * another: the advice of the namespace the class's methods take is applied ({@code JavaxAdvice} or
 * {@code JakartaAdvice}); a version with neither is left alone, with one warning.
 */
public final class ServletEntryInstrumentation implements TypeInstrumentation {

    static final String TOMCAT = "org.apache.catalina.core.ApplicationFilterChain";
    static final String JETTY_9_TO_11 = "org.eclipse.jetty.servlet.ServletHandler";
    static final String JETTY_12_EE10 = "org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet";
    static final String JETTY_12_EE9 = "org.eclipse.jetty.ee9.servlet.ServletHandler";
    static final String JETTY_12_EE8 = "org.eclipse.jetty.ee8.servlet.ServletHandler";
    static final String JAVAX_HTTP_SERVLET = "javax.servlet.http.HttpServlet";
    static final String JAKARTA_HTTP_SERVLET = "jakarta.servlet.http.HttpServlet";

    private static final String ADVICE = "io.albtrace.instrumentation.servlet.%sAdvice$Entry";

    @Override
    public List<String> typeNames() {
        return Arrays.asList(TOMCAT, JETTY_9_TO_11, JETTY_12_EE10, JETTY_12_EE9, JETTY_12_EE8, JAVAX_HTTP_SERVLET,
                JAKARTA_HTTP_SERVLET);
    }

    @Override
    public void transform(AdviceTarget target) {
        MethodMatcher javax = entryMethods("javax");
        MethodMatcher jakarta = entryMethods("jakarta");
        boolean jakartaFound = target.declares(jakarta);
        if (target.declares(javax) || !jakartaFound) {
            // neither found: the usual warning, once, and the class is left alone
            target.applyAdvice(javax, String.format(ADVICE, "Javax"));
        }
        if (jakartaFound) {
            target.applyAdvice(jakarta, String.format(ADVICE, "Jakarta"));
        }
    }

    /** The entry methods above, taking {@code namespace}'s types. */
    private static MethodMatcher entryMethods(String namespace) {
        return named("doFilter").or(named("service"))
                .and(takesArguments(2)).and(takesArgument(0, named(namespace + ".servlet.ServletRequest")))
                .or(named("doHandle").or(named("handle")).and(takesArguments(4))
                        .and(takesArgument(2, named(namespace + ".servlet.http.HttpServletRequest"))));
    }
}

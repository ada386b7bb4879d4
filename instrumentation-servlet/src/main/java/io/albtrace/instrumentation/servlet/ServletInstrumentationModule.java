package io.albtrace.instrumentation.servlet;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Servlet containers as server entry points (SPEC section 4), {@code javax.servlet} and {@code jakarta.servlet}:
 * Tomcat 9, 10.1 and 11, Jetty 9.4 to 11 and Jetty 12 (ee8, ee9, ee10), Spring Boot on either, and the API's own
 * {@code HttpServlet} for other containers. {@code albtrace.instrumentation.servlet.enabled}.
 */
public final class ServletInstrumentationModule extends InstrumentationModule {

    public ServletInstrumentationModule() {
        super("servlet");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(new ServletEntryInstrumentation(), new AsyncContextStartInstrumentation());
    }

    /**
     * The classes the type instrumentations above change, by name: read at start-up, so that those (and the
     * weaver's classes they touch) are created only when one of these classes is loaded.
     */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(ServletEntryInstrumentation.TOMCAT, ServletEntryInstrumentation.JETTY_9_TO_11,
                ServletEntryInstrumentation.JETTY_12_EE10, ServletEntryInstrumentation.JETTY_12_EE9,
                ServletEntryInstrumentation.JETTY_12_EE8, ServletEntryInstrumentation.JAVAX_HTTP_SERVLET,
                ServletEntryInstrumentation.JAKARTA_HTTP_SERVLET, AsyncContextStartInstrumentation.TOMCAT,
                AsyncContextStartInstrumentation.JETTY_9_TO_11, AsyncContextStartInstrumentation.JETTY_12_EE10,
                AsyncContextStartInstrumentation.JETTY_12_EE9, AsyncContextStartInstrumentation.JETTY_12_EE8);
    }
}

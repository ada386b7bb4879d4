package io.albtrace.instrumentation.servlet;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real embedded servlet container on 127.0.0.1 and a free port, running the test application: the one the test
 * run was given ({@code servlet.container}: {@code tomcat}, {@code jetty} for 9.4 to 11, {@code jetty12-ee10},
 * {@code jetty12-ee9}, {@code jetty12-ee8}; its jars are on the class path, see the pom). Driven by reflection,
 * because its classes name {@code javax} or {@code jakarta} types and several versions of them cannot be compiled
 * against together; the application itself is registered through the servlet API only.
 */
final class Container implements AutoCloseable {

    /** The container kind of this test run, from the pom. */
    static final String KIND = System.getProperty("servlet.container", "tomcat");
    /** {@code javax} or {@code jakarta}. */
    static final String NAMESPACE = System.getProperty("servlet.namespace", "jakarta");
    /** What the run is called in messages, e.g. {@code tomcat11 11.0.27}. */
    static final String NAME = System.getProperty("servlet.container.name", KIND);

    /** The request header bytes the container accepts: room for a 200 KB trace header (its default is 8 KB). */
    static final int REQUEST_HEADER_BYTES = 256 * 1024;

    private final Object server;
    private final int port;

    private Container(Object server, int port) {
        this.server = server;
        this.port = port;
    }

    /** The test application of this run's namespace: {@code JavaxApp} or {@code JakartaApp}. */
    static Object application() throws ReflectiveOperationException {
        String name = "javax".equals(NAMESPACE) ? "JavaxApp" : "JakartaApp";
        return Class.forName(Container.class.getPackageName() + "." + name).getConstructor().newInstance();
    }

    static Container start() throws Exception {
        Object app = application();
        switch (KIND) {
            case "tomcat":
                return tomcat(app);
            case "jetty":
                return jetty("org.eclipse.jetty.servlet.ServletContextHandler", app);
            case "jetty12-ee10":
                return jetty("org.eclipse.jetty.ee10.servlet.ServletContextHandler", app);
            case "jetty12-ee9":
                return jetty("org.eclipse.jetty.ee9.servlet.ServletContextHandler", app);
            case "jetty12-ee8":
                return jetty("org.eclipse.jetty.ee8.servlet.ServletContextHandler", app);
            default:
                throw new IllegalArgumentException("servlet.container=" + KIND);
        }
    }

    private static Container tomcat(Object app) throws Exception {
        Path base = Files.createTempDirectory("albtrace-tomcat");
        Object tomcat = Class.forName("org.apache.catalina.startup.Tomcat").getConstructor().newInstance();
        call(tomcat, "setBaseDir", base.toString());
        call(tomcat, "setPort", 0);
        Object connector = call(tomcat, "getConnector");
        call(connector, "setProperty", "address", "127.0.0.1");
        // requests with a header far over the agent's bound reach the application (a service configured so)
        call(connector, "setProperty", "maxHttpHeaderSize", String.valueOf(REQUEST_HEADER_BYTES));
        Object context = call(tomcat, "addContext", "", base.toString());
        call(context, "addServletContainerInitializer", app, null);
        call(tomcat, "start");
        return new Container(tomcat, (Integer) call(connector, "getLocalPort"));
    }

    private static Container jetty(String contextHandler, Object app) throws Exception {
        Object server = Class.forName("org.eclipse.jetty.server.Server").getConstructor(InetSocketAddress.class)
                .newInstance(new InetSocketAddress("127.0.0.1", 0));
        Object handler = Class.forName(contextHandler).getConstructor().newInstance();
        for (Object connector : (Object[]) call(server, "getConnectors")) {
            Object http = call(connector, "getDefaultConnectionFactory");
            call(call(http, "getHttpConfiguration"), "setRequestHeaderSize", REQUEST_HEADER_BYTES);
        }
        call(handler, "setContextPath", "/");
        call(handler, "addEventListener", app);
        // Jetty 12's ee8 and ee9 contexts are nested in a core handler of their own, which they supply
        call(server, "setHandler", KIND.matches("jetty12-ee[89]") ? call(handler, "get") : handler);
        call(server, "start");
        Object[] connectors = (Object[]) call(server, "getConnectors");
        return new Container(server, (Integer) call(connectors[0], "getLocalPort"));
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws Exception {
        call(server, "stop");
        if (KIND.equals("tomcat")) {
            call(server, "destroy");
        }
    }

    /** Calls the public method {@code name} whose parameters take {@code args} (null fits any object). */
    static Object call(Object target, String name, Object... args) throws Exception {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && fits(method.getParameterTypes(), args)) {
                return method.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name + " taking " + args.length);
    }

    private static boolean fits(Class<?>[] types, Object[] args) {
        if (types.length != args.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i] == int.class ? Integer.class : types[i];
            if (args[i] != null && !type.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }
}

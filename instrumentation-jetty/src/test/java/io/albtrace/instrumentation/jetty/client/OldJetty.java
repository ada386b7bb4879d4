package io.albtrace.instrumentation.jetty.client;

import io.albtrace.contracts.HttpClientAdapter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * Jetty's {@code HttpClient} 9.4, 10 or 11 ({@code org.eclipse.jetty.client.api}) as the tests drive it: the real
 * library, each line in a class loader of its own ({@link #loader}), beside this JVM's Jetty 12 (the contract's
 * servers, the Jetty 12 client). The driver ({@code io.albtrace.instrumentation.jetty.client9.Jetty9Driver}, compiled
 * against 9.4 from {@code src/test/jetty9}) is defined there too and is reached through these JDK-typed interfaces.
 */
public final class OldJetty {

    /** The lines tested, as the folders under {@code jetty.old.dir} name them. */
    static final List<String> LINES = List.of("9.4", "10", "11");

    private static final Map<String, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    private OldJetty() {
    }

    /** Makes clients of one Jetty line. */
    public interface Factory {
        /** The version of jetty-client in this class loader (its jar's manifest). */
        String version();

        /** A new client, started: HTTP/2 or HTTP/1.1, trusting {@code ssl}'s certificate; through {@code proxy}. */
        Client newClient(boolean h2, SSLContext ssl, InetSocketAddress proxy) throws Exception;
    }

    /** One started client. */
    public interface Client extends AutoCloseable {
        /** A request object, with the headers given as name, value, name, value... in order. */
        Object request(String method, String url, List<String> headers);

        /** {@code request.send()}, the whole response read. */
        HttpClientAdapter.Response send(Object request) throws Exception;

        /**
         * {@code request.send(listener)} with a {@code BufferingResponseListener}: the response once complete, with
         * the context its listener ran with ({@link HttpClientAdapter.Response#NOT_SEEN} when Jetty completed it on
         * the calling thread, before {@code send} returned).
         */
        CompletableFuture<HttpClientAdapter.Response> submit(Object request);

        /** Adds Basic credentials for {@code uri} unless the client has some for it already. */
        void basicAuthentication(String uri, String realm, String user, String password);

        /** The context on the client's own pool's threads now (null: none). */
        String contextOnItsThreads() throws Exception;

        @Override
        void close() throws Exception;
    }

    /** The factory of {@code line}, defined in that line's class loader. */
    static Factory factory(String line) {
        try {
            return (Factory) loader(line).loadClass("io.albtrace.instrumentation.jetty.client9.Jetty9Driver")
                    .getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The class loader of {@code line}: its jars (copied under {@code jetty.old.dir} by the build) and the driver's
     * classes, child first, classes and resources alike (the agent's check before weaving reads class files as
     * resources); everything else (JDK, agent core, the contract, SLF4J) from the test's class loader.
     */
    static ClassLoader loader(String line) {
        return LOADERS.computeIfAbsent(line, l -> {
            File dir = new File(System.getProperty("jetty.old.dir"), l);
            File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar"));
            if (jars == null || jars.length == 0) {
                throw new IllegalStateException("no jar in " + dir + ": run the build's generate-sources phase");
            }
            List<URL> urls = new ArrayList<>();
            try {
                for (File jar : jars) {
                    urls.add(jar.toURI().toURL());
                }
                urls.add(new File(System.getProperty("jetty9.test.classes")).toURI().toURL());
            } catch (MalformedURLException e) {
                throw new UncheckedIOException(e);
            }
            return new ChildFirst("jetty-client-" + l, urls.toArray(new URL[0]),
                    OldJetty.class.getClassLoader());
        });
    }

    /**
     * Child first for what its own URLs have; Jetty's classes and resources only from them: the test's class loader
     * has Jetty 12's, which this line must not see (the agent's check before weaving, reading
     * {@code org/eclipse/jetty/client/transport/HttpConnection.class} through the parent, would take this class
     * loader for a Jetty 12 one).
     */
    private static final class ChildFirst extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        ChildFirst(String name, URL[] urls, ClassLoader parent) {
            super(name, urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        if (name.startsWith("org.eclipse.jetty.")) {
                            throw e;
                        }
                        c = getParent().loadClass(name);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = findResource(name);
            return own != null || jetty(name) ? own : getParent().getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
            if (all.isEmpty() && !jetty(name)) {
                all.addAll(Collections.list(getParent().getResources(name)));
            }
            return Collections.enumeration(all);
        }

        private static boolean jetty(String resource) {
            return resource.startsWith("org/eclipse/jetty/") || resource.startsWith("/org/eclipse/jetty/");
        }
    }
}

package io.albtrace.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's private classes from {@code albtrace/agent/**.classdata} entries of the agent jar, so that
 * neither the application nor class-path scanners see them, and they never clash with the application's own
 * Byte Buddy or OkHttp. Its parent is the platform class loader: it sees the JDK and the core classes defined
 * in the bootstrap loader, and nothing of the application.
 */
public final class AgentClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String OWN_SERVICES = "META-INF/services/io.albtrace.";
    private static final String OWN_PACKAGES = "io/albtrace/";

    private final JarFile jar;
    private final String jarUrl;
    private final String[] prefixes;
    private final ProtectionDomain domain;

    AgentClassLoader(JarFile jar, URL location, String... prefixes) {
        super("albtrace", ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        this.jarUrl = "jar:" + location.toExternalForm() + "!/";
        this.prefixes = prefixes;
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
    }

    JarFile jar() {
        return jar;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/') + ".classdata";
        for (String prefix : prefixes) {
            JarEntry entry = jar.getJarEntry(prefix + path);
            if (entry != null) {
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
                int dot = name.lastIndexOf('.');
                if (dot > 0) {
                    String pkg = name.substring(0, dot);
                    if (getDefinedPackage(pkg) == null) {
                        try {
                            definePackage(pkg, null, null, null, "albtrace", null, null, null);
                        } catch (IllegalArgumentException alreadyDefinedConcurrently) {
                            // fine
                        }
                    }
                }
                return defineClass(name, bytes, 0, bytes.length, domain);
            }
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
        String path = path(name);
        for (String prefix : prefixes) {
            if (jar.getJarEntry(prefix + path) != null) {
                try {
                    return new URL(jarUrl + prefix + path);
                } catch (MalformedURLException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * The agent's own resources ({@code io/albtrace/...}: advice class files, which the weaver reads, and the
     * version) straight from the jar. Through {@link #getResource} each cost a search of the JDK's modules (the
     * parent first) and a {@code jar:} URL connection: milliseconds of the agent's start and of its first weaves.
     * One not in the jar is looked for as usual.
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        if (name.startsWith(OWN_PACKAGES) || name.startsWith(OWN_SERVICES)) {
            String path = path(name);
            for (String prefix : prefixes) {
                JarEntry entry = jar.getJarEntry(prefix + path);
                if (entry != null) {
                    try {
                        return jar.getInputStream(entry);
                    } catch (IOException e) {
                        return null;
                    }
                }
            }
        }
        return super.getResourceAsStream(name);
    }

    /** A resource's entry below a prefix: class files are stored as {@code .classdata}. */
    private static String path(String name) {
        return name.endsWith(".class") ? name.substring(0, name.length() - 6) + ".classdata" : name;
    }

    /**
     * The agent's own service files ({@code META-INF/services/io.albtrace...}) are only in its jar: they are not
     * looked for in the JDK's loaders, which would search each of the JDK's modules for them (milliseconds of
     * every start, a JDK tool's included). Everything else is parent first, as usual.
     */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith(OWN_SERVICES)) {
            return findResources(name);
        }
        return super.getResources(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    @Override
    public String toString() {
        return "albtrace agent class loader";
    }
}

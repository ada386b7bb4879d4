package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * An OkHttp the agent does not know: this run's OkHttp jar loaded again in a class loader of its own, with
 * {@code Headers.name(int)}, which the agent's advice calls, renamed {@code nameAt(int)} in every OkHttp class (as a
 * later OkHttp could rename it: OkHttp itself still works). The installed agent's check before weaving finds the
 * method missing, says so once (the library, its version from the jar's manifest, the method), weaves none of OkHttp's
 * classes in that class loader, and the application's call goes out exactly as without the agent: no trace header
 * (SPEC 7), although a context is bound.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ChangedLibraryVersionTest extends OkHttpTestSupport {

    @Test
    void aMissingMethodSkipsOkHttpWithOneWarningAndTheCallsStillWork() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(new RenamedHeadersName());
                    assertEquals("none", driver.apply(raw.url("/a" + i)), "the call's request is the application's");
                    assertEquals("none", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            assertEquals(4, raw.heads().size());
            for (RawHttpServer.Head head : raw.heads()) {
                assertTrue(head.requestLine.startsWith("GET /"), head::toString);
                assertEquals(List.of(), head.traceHeaders(), () -> "uninstrumented: no trace header\n" + head);
            }
        }
        List<String> found = new ArrayList<>(Installer.versionProblems());
        found.removeAll(before);
        assertEquals(1, found.size(), found::toString);
        String warning = found.get(0);
        TestAgent.expectVersionProblem(warning);
        String version = System.getProperty("okhttp.test.version"); // okhttp3.OkHttp is not in 3.14
        assertTrue(warning.startsWith("okhttp: "), warning);
        // OkHttp 5's jar says its version in its manifest, 3.14's in its pom.properties; 4.12's says none (its
        // OkHttp.VERSION constant is not read: left for later), so the jar's name says it
        String named = version.startsWith("4.") ? " (version unknown) (okhttp-" + version + ".jar)"
                : " " + version + " (okhttp";
        assertTrue(warning.contains(named), "names the library and its version: " + warning);
        assertTrue(warning.contains("it has no method okhttp3.Headers.name(int) returning java.lang.String, which "),
                warning);
        assertTrue(warning.contains("The okhttp instrumentation is skipped in class loader changed-okhttp ("), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** The same, unchanged OkHttp in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameOkHttpUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        try (RawHttpServer raw = new RawHttpServer()) {
            Function<String, String> driver = driver(new RenamedHeadersName(false));
            driver.apply(raw.url("/control"));
            List<String> trace = raw.only().traceHeaders();
            assertEquals(1, trace.size(), raw.only()::toString);
            Trace.self(trace.get(0), Trace.CONTEXT);
        }
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader okhttp) throws Exception {
        return (Function<String, String>) okhttp.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with the OkHttp of the class loader
     * that defined this class; returns the trace header {@code call.request()} shows ({@code none} when none).
     */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String url) {
            OkHttpClient client = new OkHttpClient();
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                Call call = client.newCall(new Request.Builder().url(url).build());
                String shown = call.request().header(Trace.NAME);
                try (Response response = call.execute()) {
                    assertEquals(200, response.code());
                    assertEquals("ok", response.body().string());
                }
                return shown == null ? "none" : shown;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        }
    }

    /**
     * This run's OkHttp classes and {@link Driver}, defined here from the test class path (the installed agent sees
     * them load as it would any OkHttp), everything else from the parent. With {@code rename}, every OkHttp class
     * has {@code Headers.name(int)} as {@code nameAt(int)}, declared and called; its class files, as resources, are
     * the changed ones too (what the agent's check reads). Resource URLs are the parent's: the jar, whose manifest
     * says OkHttp's version.
     */
    static final class RenamedHeadersName extends ClassLoader {

        private final boolean rename;

        RenamedHeadersName() {
            this(true);
        }

        RenamedHeadersName(boolean rename) {
            super(rename ? "changed-okhttp" : "unchanged-okhttp", ChangedLibraryVersionTest.class.getClassLoader());
            this.rename = rename;
        }

        private static boolean ours(String binaryName) {
            return binaryName.startsWith("okhttp3.") || binaryName.equals(Driver.class.getName());
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            if (!name.endsWith(".class") || !ours(name.substring(0, name.length() - 6).replace('/', '.'))) {
                return super.getResourceAsStream(name);
            }
            byte[] bytes = changed(name);
            return bytes == null ? null : new ByteArrayInputStream(bytes);
        }

        @Override
        public URL getResource(String name) {
            return getParent().getResource(name);
        }

        private byte[] changed(String resource) {
            try (InputStream in = getParent().getResourceAsStream(resource)) {
                return in == null ? null : rename(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!ours(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes = changed(name.replace('.', '/') + ".class");
                    if (bytes == null) {
                        throw new ClassNotFoundException(name);
                    }
                    loaded = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        private byte[] rename(byte[] bytes) {
            if (!rename) {
                return bytes;
            }
            ClassReader reader = new ClassReader(bytes);
            boolean headers = reader.getClassName().equals("okhttp3/Headers");
            ClassWriter writer = new ClassWriter(reader, 0);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                        String[] exceptions) {
                    boolean declared = headers && isName(method, descriptor);
                    MethodVisitor visitor = super.visitMethod(access, declared ? "nameAt" : method, descriptor,
                            signature, exceptions);
                    return new MethodVisitor(Opcodes.ASM9, visitor) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String name, String desc,
                                boolean isInterface) {
                            boolean call = owner.equals("okhttp3/Headers") && isName(name, desc);
                            super.visitMethodInsn(opcode, owner, call ? "nameAt" : name, desc, isInterface);
                        }
                    };
                }
            }, 0);
            return writer.toByteArray();
        }

        private static boolean isName(String method, String descriptor) {
            return method.equals("name") && descriptor.equals("(I)Ljava/lang/String;");
        }
    }
}

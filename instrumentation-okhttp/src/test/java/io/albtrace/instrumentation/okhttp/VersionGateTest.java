package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Config;
import io.albtrace.core.Context;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.Scope;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import kotlin.reflect.KClass;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import okhttp3.Call;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which OkHttp 5 versions are forwarded on the wire ({@link RealCallInstrumentation}): 5.3.0 to 5.5.1, whose
 * {@code Http1ExchangeCodec.writeRequest} was checked; any other is forwarded when the call is made, as OkHttp 5.0
 * to 5.2 are. Other versions are this run's OkHttp jar loaded again, woven by the installed agent, in a class loader
 * of its own ({@link OtherOkHttp}) whose {@code okhttp3.OkHttp.VERSION} says another version, and whose
 * {@code writeRequest} can be made to refuse an empty request line, as a later OkHttp might: what the wire path
 * would break. A raw server records each request head exactly as written.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class VersionGateTest extends OkHttpTestSupport {

    private RawHttpServer raw;

    @BeforeEach
    void onlyWithCallTags() throws IOException {
        Assumptions.assumeTrue(OkHttpLineTest.hasCallTags(), "OkHttp 5.3+ only: the wire needs call tags");
        raw = new RawHttpServer();
    }

    @AfterEach
    void stopRaw() {
        if (raw != null) {
            raw.close();
        }
    }

    /** The OkHttp of this run: one of the checked versions, so its calls are forwarded on the wire. */
    @Test
    void thisRunsOkHttpIsForwardedOnTheWire() throws Exception {
        String v = OkHttp.VERSION;
        assertTrue(v.length() == 5 && v.compareTo(RealCallInstrumentation.FIRST_ON_THE_WIRE) >= 0
                        && v.compareTo(RealCallInstrumentation.LAST_ON_THE_WIRE) <= 0,
                "OkHttp " + v + " is not among the versions checked: check its Http1ExchangeCodec.writeRequest "
                        + "(RealCallInstrumentation says how), then move LAST_ON_THE_WIRE");
        List<Object> seen = new Driver().apply(raw.url("/this"));
        assertNull(seen.get(0), "the call's request is the application's");
        assertEquals(Boolean.TRUE, seen.get(1), "the call keeps its state in its tags");
        assertOneHeader("/this", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.3.0", "5.4.0", "5.5.1"})
    void aCheckedVersionIsForwardedOnTheWire(String version) throws Exception {
        List<Object> seen = callWith(new OtherOkHttp(version, false), "/wire");
        assertNull(seen.get(0), "OkHttp " + version + ": the call's request is the application's");
        assertEquals(Boolean.TRUE, seen.get(1), "OkHttp " + version + ": the call keeps its state in its tags");
        assertOneHeader("/wire", null);
    }

    /**
     * A version outside the checked ones, with a {@code writeRequest} that refuses an empty request line: the call's
     * request carries the header from the start, and exactly the request line and one trace header arrive.
     */
    @ParameterizedTest
    @ValueSource(strings = {"5.5.2", "5.6.0", "6.0.0", "5.10.0", "5.5.1-SNAPSHOT", "5.2.9"})
    void anyOtherVersionIsForwardedWhenTheCallIsMade(String version) throws Exception {
        List<Object> seen = callWith(new OtherOkHttp(version, true), "/made");
        assertNotNull(seen.get(0), "OkHttp " + version + ": the call's request carries the header");
        assertEquals(Boolean.FALSE, seen.get(1), "OkHttp " + version + ": no state in the call's tags");
        assertOneHeader("/made", (String) seen.get(0));
    }

    /**
     * The control for the test above: that changed {@code writeRequest} on a version taken to be checked fails the
     * call, so the test above passes because the wire was not used, not because the change does nothing.
     */
    @Test
    void theChangedWriteRequestWouldFailOnTheWire() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> callWith(new OtherOkHttp(RealCallInstrumentation.LAST_ON_THE_WIRE, true), "/broken"));
        assertEquals(OtherOkHttp.REFUSED, e.getMessage());
    }

    /** With {@code albtrace.debug=true}, a version outside the checked ones is said, once. */
    @Test
    void inDebugAnUncheckedVersionIsSaidOnce() throws Exception {
        Properties debug = new Properties();
        debug.setProperty(Config.DEBUG, "true");
        List<String> said = new ArrayList<>();
        OtherOkHttp other = new OtherOkHttp("5.9.9", false);
        Config previous = Config.install(Config.load(debug, Map.of()));
        try {
            StdErr.capture(() -> {
                callWith(other, "/first");
                return callWith(other, "/second");
            }, said);
        } finally {
            Config.install(previous);
        }
        assertEquals(List.of("[albtrace] debug: okhttp 5.9.9 is not a version whose codecs were checked (5.3.0 to"
                        + " 5.5.1): its calls are forwarded when they are made, as on 5.0 to 5.2"),
                said.stream().filter(line -> line.contains("5.9.9")).collect(Collectors.toList()));
    }

    /** Runs {@link Driver} on {@code okhttp}'s classes, against the raw server's {@code path}. */
    private List<Object> callWith(OtherOkHttp okhttp, String path) throws Exception {
        @SuppressWarnings("unchecked")
        Function<String, List<Object>> driver = (Function<String, List<Object>>) okhttp
                .loadClass(Driver.class.getName()).getConstructor().newInstance();
        return driver.apply(raw.url(path));
    }

    /** Exactly {@code GET path HTTP/1.1} and one trace header, {@code shown} when not null, from the context. */
    private void assertOneHeader(String path, String shown) {
        RawHttpServer.Head head = raw.only();
        assertEquals("GET " + path + " HTTP/1.1", head.requestLine, head::toString);
        List<String> trace = head.traceHeaders();
        assertEquals(1, trace.size(), head::toString);
        if (shown != null) {
            assertEquals(shown, trace.get(0));
        }
        Trace.self(trace.get(0), Trace.CONTEXT);
    }

    /**
     * Makes a GET of the URL it is given, in the context {@link Trace#CONTEXT}, with the OkHttp of the class loader
     * that defined this class, and executes it; returns what {@code call.request()} showed as the trace header (or
     * null) and whether the call held an {@link OutgoingCall} in its tags.
     */
    public static final class Driver implements Function<String, List<Object>> {

        @Override
        public List<Object> apply(String url) {
            OkHttpClient client = new OkHttpClient();
            try {
                Call call;
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    call = client.newCall(new Request.Builder().url(url).build());
                }
                // albtrace's key for this OkHttp (RealCall is final: the call's class is the advice's anchor)
                Object key = LibraryHelpers.instance(call.getClass(), RealCallInstrumentation.OUTGOING_CALL_KEY);
                @SuppressWarnings("unchecked")
                boolean tagged = key != null && call.tag((KClass<OutgoingCall>) key) != null;
                List<Object> seen = Arrays.asList(call.request().header(Trace.NAME), tagged);
                try (Response response = call.execute()) {
                    assertEquals(200, response.code());
                    assertEquals("ok", response.body().string());
                }
                return seen;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        }
    }

    /**
     * This run's OkHttp jar again, in a class loader of its own: the {@code okhttp3} classes, and {@link Driver}, are
     * defined here from the test class path (so the installed agent weaves them as it would any OkHttp), everything
     * else (Okio, Kotlin, the agent's core) comes from the parent. {@code okhttp3.OkHttp.VERSION} says
     * {@code version}; with {@code refuseEmptyRequestLine}, {@code Http1ExchangeCodec.writeRequest} first throws
     * {@link #REFUSED} when it is given an empty request line, as the advice on the wire gives it.
     */
    static final class OtherOkHttp extends ClassLoader {

        static final String REFUSED = "an empty request line (a later OkHttp's own check, simulated)";

        private final String version;
        private final boolean refuseEmptyRequestLine;

        OtherOkHttp(String version, boolean refuseEmptyRequestLine) {
            super(VersionGateTest.class.getClassLoader());
            this.version = version;
            this.refuseEmptyRequestLine = refuseEmptyRequestLine;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("okhttp3.") && !name.equals(Driver.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes;
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        bytes = change(name, in.readAllBytes());
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                    loaded = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        private byte[] change(String name, byte[] bytes) {
            boolean okHttp = name.equals("okhttp3.OkHttp");
            boolean codec = refuseEmptyRequestLine && name.equals("okhttp3.internal.http1.Http1ExchangeCodec");
            if (!okHttp && !codec) {
                return bytes;
            }
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                        String[] exceptions) {
                    MethodVisitor visitor = super.visitMethod(access, method, descriptor, signature, exceptions);
                    if (okHttp && method.equals("<clinit>")) {
                        return new MethodVisitor(Opcodes.ASM9, visitor) {
                            @Override
                            public void visitLdcInsn(Object value) {
                                super.visitLdcInsn(OkHttp.VERSION.equals(value) ? version : value);
                            }
                        };
                    }
                    if (codec && method.equals("writeRequest")
                            && descriptor.equals("(Lokhttp3/Headers;Ljava/lang/String;)V")) {
                        return new MethodVisitor(Opcodes.ASM9, visitor) {
                            @Override
                            public void visitCode() {
                                super.visitCode();
                                // if (requestLine.isEmpty()) throw new IllegalStateException(REFUSED);
                                Label goOn = new Label();
                                super.visitVarInsn(Opcodes.ALOAD, 2);
                                super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "isEmpty", "()Z",
                                        false);
                                super.visitJumpInsn(Opcodes.IFEQ, goOn);
                                super.visitTypeInsn(Opcodes.NEW, "java/lang/IllegalStateException");
                                super.visitInsn(Opcodes.DUP);
                                super.visitLdcInsn(REFUSED);
                                super.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/IllegalStateException",
                                        "<init>", "(Ljava/lang/String;)V", false);
                                super.visitInsn(Opcodes.ATHROW);
                                super.visitLabel(goOn);
                                super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
                            }
                        };
                    }
                    return visitor;
                }
            }, 0);
            return writer.toByteArray();
        }
    }
}

package io.albtrace.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.HttpClientAdapter;
import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.RawHttpServer;
import io.albtrace.testing.Trace;
import io.albtrace.weaver.Installer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Netty the agent does not know: this run's Netty jars loaded again in a class loader of their own, with
 * {@code HttpResponseStatus.code()}, which the agent's advice calls, renamed {@code codeAt()} in every Netty class (as
 * a later Netty could rename it: Netty itself still works). The check before weaving finds it missing, says so once
 * (the library, its version, the method), weaves none of Netty's classes in that class loader, and the application's
 * requests go out exactly as without the agent: no trace header although a context is bound (SPEC 7).
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ChangedLibraryVersionTest {

    @Test
    void aMissingMethodSkipsNettyWithOneWarningAndTheCallsStillWork() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        try (RawHttpServer raw = new RawHttpServer()) {
            StdErr.capture(() -> {
                // two class loaders with that version, two calls each: one warning
                for (int i = 0; i < 2; i++) {
                    Function<String, String> driver = driver(netty(true));
                    assertEquals("200", driver.apply(raw.url("/a" + i)));
                    assertEquals("200", driver.apply(raw.url("/b" + i)));
                }
                return null;
            }, said);
            raw.assertUntracedGets(4);
        }
        String warning = TestAgent.expectOneNewVersionProblem(before);
        assertTrue(warning.startsWith("netty: "), warning);
        assertTrue(warning.contains("it has no method io.netty.handler.codec.http.HttpResponseStatus.code() returning"
                + " int"), warning);
        assertTrue(warning.contains("The netty instrumentation is skipped in class loader changed-netty ("), warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /**
     * Netty's transport without its HTTP codec, as a Redis or Cassandra driver brings it: the library the netty
     * instrumentation is for is not there, so nothing is woven and nothing is said (no warning about a version), and
     * Netty works as without the agent.
     */
    @Test
    void nettyWithoutItsHttpCodecIsLeftAloneWithoutAWarning() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        ClassLoader transportOnly = new ChangedLibrary("netty-transport-only",
                ChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("io.netty.") || name.startsWith(TransportDriver.class.getName()),
                bytes -> new org.objectweb.asm.ClassReader(bytes).getClassName()
                        .startsWith("io/netty/handler/codec/http/") ? null : bytes);
        @SuppressWarnings("unchecked")
        Function<String, String> driver = (Function<String, String>) transportOnly
                .loadClass(TransportDriver.class.getName()).getConstructor().newInstance();
        StdErr.capture(() -> {
            assertEquals("no codec; ran on its loop", driver.apply("ran on its loop"));
            return null;
        }, said);
        assertEquals(before, Installer.versionProblems(), "no version problem");
        assertEquals(List.of(), said, "nothing said");
    }

    /**
     * Runs a task on one of Netty's event loops (a target of the netty instrumentation) in a class loader without
     * Netty's HTTP codec, and answers whether that codec is there and what the task returned.
     */
    public static final class TransportDriver implements Function<String, String> {

        @Override
        public String apply(String value) {
            io.netty.channel.DefaultEventLoopGroup loops = new io.netty.channel.DefaultEventLoopGroup(1);
            try (Scope s = Context.bind(Trace.CONTEXT)) {
                String ran = loops.submit(() -> value).get();
                boolean codec;
                try {
                    Class.forName("io.netty.handler.codec.http.HttpObjectEncoder", false,
                            TransportDriver.class.getClassLoader());
                    codec = true;
                } catch (ClassNotFoundException e) {
                    codec = false;
                }
                return (codec ? "codec; " : "no codec; ") + ran;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    /** The same, unchanged Netty in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameNettyUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        try (RawHttpServer raw = new RawHttpServer()) {
            assertEquals("200", driver(netty(false)).apply(raw.url("/control")));
            List<String> trace = raw.only().traceHeaders();
            assertEquals(1, trace.size(), raw.only()::toString);
            Trace.self(trace.get(0), Trace.CONTEXT);
        }
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Function<String, String> driver(ClassLoader netty) throws Exception {
        return (Function<String, String>) netty.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * Makes a GET of the URL it is given with a plain Netty client ({@link NettyClient}) of the class loader that
     * defined this class, in the context {@link Trace#CONTEXT}; returns the response's status.
     */
    public static final class Driver implements Function<String, String> {

        @Override
        public String apply(String url) {
            try (NettyClient client = new NettyClient(1); Scope s = Context.bind(Trace.CONTEXT)) {
                HttpClientAdapter.Response r = client.call(NettyClient.request("GET", url, List.of(), null));
                return String.valueOf(r.status);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * This run's Netty classes, {@link Driver} and {@link NettyClient} in a class loader of their own
     * ({@link ChangedLibrary}); with {@code rename}, {@code HttpResponseStatus.code()} is {@code codeAt()}, declared
     * and called, in every Netty class.
     */
    private static ClassLoader netty(boolean rename) {
        return new ChangedLibrary(rename ? "changed-netty" : "unchanged-netty",
                ChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("io.netty.") || name.startsWith(Driver.class.getName())
                        || name.startsWith(NettyClient.class.getName()),
                rename ? ChangedLibrary.renaming("io/netty/handler/codec/http/HttpResponseStatus"::equals, "code",
                        "()I", "codeAt") : bytes -> bytes);
    }
}

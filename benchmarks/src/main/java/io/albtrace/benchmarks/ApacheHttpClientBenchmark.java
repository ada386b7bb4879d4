package io.albtrace.benchmarks;

import io.albtrace.core.Context;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request cost of the Apache HttpClient 5 advice: one GET over loopback to a minimal keep-alive HTTP/1.1
 * responder in the same JVM, through a pooled {@code HttpClients.createDefault()} client (classic) and
 * {@code HttpAsyncClients.createDefault()} (async, {@code SimpleHttpRequest}), each with and without the agent in
 * the same run: the {@code *Agent} benchmarks fork with {@code -javaagent:agent/target/albtrace-agent.jar}
 * (run from the repository root, after {@code mvn install}) and every other instrumentation switched off, so
 * only the client's advice is measured; the {@code *NoAgent} ones fork without it. {@code InContext} variants
 * make the call inside a bound context (the usual case in a service: forward the incoming Root with a new Self).
 *
 * <p>The responder is a plain socket loop, not an instrumented server. Each trial checks, before measuring,
 * that the header arrived exactly when the agent is attached. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar ApacheHttpClient -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ApacheHttpClientBenchmark {

    static final String AGENT = "-javaagent:agent/target/albtrace-agent.jar";
    static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";

    private LoopbackResponder server;
    private CloseableHttpClient classic;
    private CloseableHttpAsyncClient async;
    private HttpGet get;
    private URI uri;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new LoopbackResponder();
        uri = URI.create(server.url());
        get = new HttpGet(uri);
        classic = HttpClients.createDefault();
        async = HttpAsyncClients.createDefault();
        async.start();

        boolean attached = Context.class.getClassLoader() == null; // the agent defines core in the bootstrap loader
        server.lastTraceHeader = null;
        classic();
        String seen = server.lastTraceHeader;
        server.lastTraceHeader = null;
        asyncGet();
        String seenAsync = server.lastTraceHeader;
        if (attached != (seen != null) || attached != (seenAsync != null)) {
            throw new IllegalStateException("agent attached: " + attached + ", but the server saw [" + seen + "] and ["
                    + seenAsync + "]");
        }
        System.out.println("agent attached: " + attached + "; classic sent [" + seen + "], async sent [" + seenAsync
                + "]");
        server.recording = false;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        classic.close();
        async.close();
        server.close();
    }

    private int classic() throws IOException {
        return classic.execute(get, r -> {
            EntityUtils.consume(r.getEntity());
            return r.getCode();
        });
    }

    private int asyncGet() throws Exception {
        return async.execute(new SimpleHttpRequest("GET", uri), null).get(10, TimeUnit.SECONDS).getCode();
    }

    @Benchmark
    @Fork(1)
    public int classicNoAgent() throws IOException {
        return classic();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {AGENT, "-Dalbtrace.instrumentation.okhttp.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpclient.enabled=false",
        "-Dalbtrace.instrumentation.http-url-connection.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpserver.enabled=false",
        "-Dalbtrace.instrumentation.servlet.enabled=false", "-Dalbtrace.instrumentation.executors.enabled=false"})
    public int classicAgent() throws IOException {
        return classic();
    }

    @Benchmark
    @Fork(1)
    public int classicInContextNoAgent() throws IOException {
        try (io.albtrace.core.Scope s = Context.bind(CONTEXT)) {
            return classic();
        }
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {AGENT, "-Dalbtrace.instrumentation.okhttp.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpclient.enabled=false",
        "-Dalbtrace.instrumentation.http-url-connection.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpserver.enabled=false",
        "-Dalbtrace.instrumentation.servlet.enabled=false", "-Dalbtrace.instrumentation.executors.enabled=false"})
    public int classicInContextAgent() throws IOException {
        try (io.albtrace.core.Scope s = Context.bind(CONTEXT)) {
            return classic();
        }
    }

    @Benchmark
    @Fork(1)
    public int asyncInContextNoAgent() throws Exception {
        try (io.albtrace.core.Scope s = Context.bind(CONTEXT)) {
            return asyncGet();
        }
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {AGENT, "-Dalbtrace.instrumentation.okhttp.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpclient.enabled=false",
        "-Dalbtrace.instrumentation.http-url-connection.enabled=false",
        "-Dalbtrace.instrumentation.jdk-httpserver.enabled=false",
        "-Dalbtrace.instrumentation.servlet.enabled=false", "-Dalbtrace.instrumentation.executors.enabled=false"})
    public int asyncInContextAgent() throws Exception {
        try (io.albtrace.core.Scope s = Context.bind(CONTEXT)) {
            return asyncGet();
        }
    }
}

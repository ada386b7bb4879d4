package io.albtrace.benchmarks;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Per-request cost of the agent on Reactor Netty (1.3, on Netty 4.2), server and client, over loopback keep-alive:
 * a Reactor Netty {@code HttpServer} in the benchmark's JVM answers {@code ok} (and keeps the last trace header it
 * got, for the check before measuring), and is called by
 * <ul>
 * <li>{@code client=reactor-netty}: Reactor Netty's {@code HttpClient} ({@code get().uri(..).responseContent()
 * .aggregate().asString().block()}): the client and the server entry both, the way a WebFlux service calling
 * another one pays twice;</li>
 * <li>{@code client=jdk}: the JDK's {@code HttpClient} (HTTP/1.1, {@code send}), so the server entry's share shows
 * against {@code ClientRequestBenchmark}'s JDK row.</li>
 * </ul>
 * {@code inContext=true} makes the call inside a bound context. The variants and their forks are those of
 * {@link ClientRequestBenchmark}; {@code benchmarks/request.sh} runs it interleaved with
 * {@code BENCHMARK=ReactorNettyBenchmark CLIENTS="reactor-netty jdk"}.
 */
@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReactorNettyBenchmark {

    @Param({"reactor-netty", "jdk"})
    public String client;

    @Param({"false", "true"})
    public boolean inContext;

    private DisposableServer server;
    private volatile String lastTraceHeader;
    private volatile boolean recording = true;
    private reactor.netty.http.client.HttpClient reactorClient;
    private HttpClient jdk;
    private HttpRequest jdkRequest;
    private String url;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    if (recording) {
                        lastTraceHeader = request.requestHeaders().get("X-Amzn-Trace-Id");
                    }
                    return response.sendString(Mono.just("ok"));
                })
                .bindNow(Duration.ofSeconds(10));
        url = "http://127.0.0.1:" + server.port() + "/";
        switch (client) {
            case "reactor-netty":
                reactorClient = reactor.netty.http.client.HttpClient.create();
                break;
            case "jdk":
                jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                jdkRequest = HttpRequest.newBuilder(URI.create(url)).build();
                break;
            default:
                throw new IllegalArgumentException(client);
        }
        boolean attached = Context.class.getClassLoader() == null; // the agent defines core in the bootstrap loader
        lastTraceHeader = null;
        request();
        String seen = lastTraceHeader;
        if (attached != (seen != null) || (inContext && attached && !seen.contains("Root=1-67891233-"))) {
            throw new IllegalStateException("agent attached: " + attached + ", but the server saw [" + seen + "]");
        }
        System.out.println(client + ": agent attached: " + attached + "; sent [" + seen + "]");
        recording = false;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.disposeNow();
    }

    private String request() throws Exception {
        if (!inContext) {
            return send();
        }
        try (Scope s = Context.bind(ClientRequestBenchmark.CONTEXT)) {
            return send();
        }
    }

    private String send() throws Exception {
        if (reactorClient != null) {
            return reactorClient.get().uri(url).responseContent().aggregate().asString().block();
        }
        return jdk.send(jdkRequest, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Benchmark
    @Fork(1)
    public String noAgent() throws Exception {
        return request();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = ApacheHttpClientBenchmark.AGENT)
    public String agent() throws Exception {
        return request();
    }

    /** OpenTelemetry's Java agent, exporters off: its per-request cost beside ours. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-javaagent:benchmarks/target/otel/opentelemetry-javaagent.jar",
        "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"})
    public String otel() throws Exception {
        return request();
    }
}

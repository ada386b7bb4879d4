package io.albtrace.benchmarks;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-request cost of the agent as shipped (every instrumentation on) on the three main clients, side by side: one
 * keep-alive GET over loopback ({@link LoopbackResponder}) through OkHttp 5, Apache HttpClient 5 classic
 * ({@code createDefault()}) and the JDK's {@code HttpClient} ({@code send}, HTTP/1.1). {@code agent} forks with
 * {@code -javaagent:agent/target/albtrace-agent.jar} (run from the repository root), {@code noAgent} without,
 * {@code otel} with OpenTelemetry's Java agent (exporters off); all in one run, each in throughput mode and in
 * sample-time mode (p50, p99). {@code inContext=true} makes the call inside a bound context (what a service does:
 * forward the incoming Root with a new Self), {@code false} outside any ({@code Root=<new>}). Each trial checks, before measuring, that the header arrives exactly when the agent is on.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ClientRequest -prof gc -rf csv -rff benchmarks/target/request.csv</pre>
 */
@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClientRequestBenchmark {

    static final String CONTEXT = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";

    @Param({"okhttp", "apache", "jdk"})
    public String client;

    @Param({"false", "true"})
    public boolean inContext;

    private LoopbackResponder server;
    private OkHttpClient okhttp;
    private Request okhttpRequest;
    private CloseableHttpClient apache;
    private HttpGet apacheGet;
    private HttpClient jdk;
    private HttpRequest jdkRequest;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new LoopbackResponder();
        switch (client) {
            case "okhttp":
                okhttp = new OkHttpClient();
                okhttpRequest = new Request.Builder().url(server.url()).build();
                break;
            case "apache":
                apache = HttpClients.createDefault();
                apacheGet = new HttpGet(server.url());
                break;
            case "jdk":
                jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                jdkRequest = HttpRequest.newBuilder(URI.create(server.url())).build();
                break;
            default:
                throw new IllegalArgumentException(client);
        }
        boolean attached = Context.class.getClassLoader() == null; // the agent defines core in the bootstrap loader
        server.lastTraceHeader = null;
        request();
        String seen = server.lastTraceHeader;
        if (attached != (seen != null) || (inContext && attached && !seen.contains("Root=1-67891233-"))) {
            throw new IllegalStateException("agent attached: " + attached + ", but the server saw [" + seen + "]");
        }
        System.out.println(client + ": agent attached: " + attached + "; sent [" + seen + "]");
        server.recording = false;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (okhttp != null) {
            okhttp.dispatcher().executorService().shutdown();
            okhttp.connectionPool().evictAll();
        }
        if (apache != null) {
            apache.close();
        }
        server.close();
    }

    private int request() throws Exception {
        if (!inContext) {
            return send();
        }
        try (Scope s = Context.bind(CONTEXT)) {
            return send();
        }
    }

    private int send() throws Exception {
        switch (client) {
            case "okhttp":
                try (Response response = okhttp.newCall(okhttpRequest).execute()) {
                    response.body().string();
                    return response.code();
                }
            case "apache":
                return apache.execute(apacheGet, r -> {
                    EntityUtils.consume(r.getEntity());
                    return r.getCode();
                });
            default:
                return jdk.send(jdkRequest, HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }

    @Benchmark
    @Fork(1)
    public int noAgent() throws Exception {
        return request();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = ApacheHttpClientBenchmark.AGENT)
    public int agent() throws Exception {
        return request();
    }

    /** OpenTelemetry's Java agent (2.33.1, fetched by the build), exporters off: its per-request cost beside ours. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-javaagent:benchmarks/target/otel/opentelemetry-javaagent.jar",
        "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"})
    public int otel() throws Exception {
        return request();
    }
}

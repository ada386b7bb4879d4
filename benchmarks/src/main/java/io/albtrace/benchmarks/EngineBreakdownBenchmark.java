package io.albtrace.benchmarks;

import io.albtrace.core.Ids;
import io.albtrace.core.TraceHeader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Diagnostic: where the time of {@link HeaderEngineBenchmark#forwardHeader()} goes. Each benchmark isolates one
 * part of a forward through the public API:
 * <ul>
 *   <li>{@code parseOnly}: {@link TraceHeader#entry(String)} on the sample returns its input unchanged, so it is
 *       the parse (SPEC section 2) and nothing else, with no allocation;</li>
 *   <li>{@code parseVariedRoots}: the same parse on 4,096 headers of the sample's shape, each with its own Root,
 *       in turn, as a server sees them (a new Root on every request), where {@code parseOnly} parses one Root
 *       again and again, whose digits the CPU's branch predictor learns;</li>
 *   <li>{@code forwardNoId}: the size rule forced (other headers over the bound), so a forward parses, copies the
 *       Root and builds a string, but makes no identifier;</li>
 *   <li>{@code clock}, {@code random}: the two inputs of an identifier;</li>
 *   <li>{@code newId}: a whole identifier as a String ({@link Ids#newId()}).</li>
 * </ul>
 * Run with {@code java -jar benchmarks/target/benchmarks.jar EngineBreakdown -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBreakdownBenchmark {

    String header;
    String[] varied;
    int next;
    int otherHeaderBytes;
    int overBound;

    @Setup
    public void setUp() {
        header = HeaderEngineBenchmark.SAMPLE;
        varied = new String[4096];
        for (int i = 0; i < varied.length; i++) {
            varied[i] = "Root=" + Ids.newId() + header.substring(header.indexOf(';'));
            if (TraceHeader.entry(varied[i]) != varied[i]) {
                throw new IllegalStateException("entry() no longer returns an unchanged header as is");
            }
        }
        otherHeaderBytes = 256;
        overBound = TraceHeader.DEFAULT_MAX_HEADER_BYTES;
        if (TraceHeader.entry(header) != header) {
            throw new IllegalStateException("entry() no longer returns an unchanged header as is");
        }
        if (!TraceHeader.forward(header, overBound).equals("Root=1-67891233-abcdef012345678912345678")) {
            throw new IllegalStateException("the size rule did not apply");
        }
    }

    @Benchmark
    public String forwardHeader() {
        return TraceHeader.forward(header, otherHeaderBytes);
    }

    @Benchmark
    public String parseOnly() {
        return TraceHeader.entry(header);
    }

    @Benchmark
    public String parseVariedRoots() {
        return TraceHeader.entry(varied[next++ & 4095]);
    }

    @Benchmark
    public String forwardNoId() {
        return TraceHeader.forward(header, overBound);
    }

    @Benchmark
    public long clock() {
        return System.currentTimeMillis() / 1000L;
    }

    @Benchmark
    public void random(Blackhole bh) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        bh.consume(r.nextLong());
        bh.consume(r.nextInt());
    }

    @Benchmark
    public String newId() {
        return Ids.newId();
    }
}

package io.albtrace.benchmarks;

import io.albtrace.core.Ids;
import io.albtrace.core.TraceHeader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one outgoing rewrite: {@link TraceHeader#forward(String, int)} on a typical load-balancer header and
 * on no header, next to a same-run baseline, a hand-written {@code indexOf} splice such as a careful developer would
 * write without the engine. Compare within one run: the ratios, not the absolute numbers, travel between machines.
 *
 * <p>Run with {@code java -jar benchmarks/target/benchmarks.jar HeaderEngine -prof gc}; the
 * {@code gc.alloc.rate.norm} line is the bytes allocated per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HeaderEngineBenchmark {

    /** The input of the issue: an ALB header with a valid Root, no Self, two custom fields. */
    public static final String SAMPLE = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";

    /** The request's other headers, as {@code name: value\r\n} bytes: well under the 7 KB bound. */
    private static final int OTHER_HEADER_BYTES = 256;

    // Non-final fields, so that the JIT cannot fold the inputs into constants.
    String header;
    String none;
    int otherHeaderBytes;

    @Setup(Level.Trial)
    public void setUp() {
        header = SAMPLE;
        none = null;
        otherHeaderBytes = OTHER_HEADER_BYTES;
        check();
    }

    /** The engine on the sample header: {@code Self=<new>;} + the fields. */
    @Benchmark
    public String forwardHeader() {
        return TraceHeader.forward(header, otherHeaderBytes);
    }

    /** The engine with no header to forward: {@code Root=<new>}. */
    @Benchmark
    public String forwardNone() {
        return TraceHeader.forward(none, otherHeaderBytes);
    }

    /** Baseline for {@link #forwardHeader()}: the hand-written splice, same input, same output shape. */
    @Benchmark
    public String baselineSplice() {
        return Baseline.splice(header);
    }

    /** Baseline for {@link #forwardNone()}: the hand-written {@code "Root=" + new id}. */
    @Benchmark
    public String baselineNone() {
        return Baseline.splice(none);
    }

    /** Component, for the breakdown: one identifier as a String ({@link Ids#newId()}). */
    @Benchmark
    public String idOnly() {
        return Ids.newId();
    }

    /** Fails the trial when an implementation does not produce what the other one does (bar the random id). */
    private void check() {
        String engine = TraceHeader.forward(header, otherHeaderBytes);
        String hand = Baseline.splice(header);
        String tail = ";" + SAMPLE;
        expect(engine, "Self=", tail);
        expect(hand, "Self=", tail);
        expect(TraceHeader.forward(none, otherHeaderBytes), "Root=", "");
        expect(Baseline.splice(none), "Root=", "");
    }

    private static void expect(String value, String prefix, String suffix) {
        int idAt = prefix.length();
        boolean ok = value != null
                && value.length() == prefix.length() + Ids.LENGTH + suffix.length()
                && value.startsWith(prefix)
                && value.endsWith(suffix)
                && TraceHeader.isValidId(value.substring(idAt, idAt + Ids.LENGTH));
        if (!ok) {
            throw new IllegalStateException("unexpected output: " + value);
        }
    }

    /**
     * What a careful developer writes without the engine: find the Root with {@code indexOf}, make one identifier
     * from the clock and {@link ThreadLocalRandom} with hand-rolled hex formatting (no {@code String.format}), and
     * build the result in one presized {@link StringBuilder}. It does not do the engine's whole job (no validation,
     * no size rule, no custom-field filtering), so it is a floor for a naive splice, not an equivalent.
     */
    static final class Baseline {
        private static final char[] HEX = "0123456789abcdef".toCharArray();

        private Baseline() {
        }

        static String splice(String header) {
            int root = header == null ? -1 : header.indexOf("Root=");
            if (root < 0) {
                StringBuilder sb = new StringBuilder(5 + 35);
                sb.append("Root=");
                appendId(sb);
                return sb.toString();
            }
            int self = header.indexOf("Self=");
            if (self >= 0) {
                int end = header.indexOf(';', self);
                StringBuilder sb = new StringBuilder(header.length() + 35);
                sb.append(header, 0, self).append("Self=");
                appendId(sb);
                if (end >= 0) {
                    sb.append(header, end, header.length());
                }
                return sb.toString();
            }
            StringBuilder sb = new StringBuilder(header.length() + 41);
            sb.append("Self=");
            appendId(sb);
            sb.append(';').append(header);
            return sb.toString();
        }

        private static void appendId(StringBuilder sb) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            sb.append("1-");
            appendHex(sb, System.currentTimeMillis() / 1000L, 8);
            sb.append('-');
            appendHex(sb, random.nextLong(), 16);
            appendHex(sb, random.nextInt(), 8);
        }

        private static void appendHex(StringBuilder sb, long value, int digits) {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
                sb.append(HEX[(int) (value >>> shift) & 0xF]);
            }
        }
    }
}

package io.albtrace.core;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers {@code 1-TTTTTTTT-IIIIIIIIIIIIIIIIIIIIIIII}: 8 lowercase hex digits of the epoch second, then
 * 24 of random bits. Thread-safe and allocation-free when written into a buffer.
 */
public final class Ids {

    /** Characters in an identifier. */
    public static final int LENGTH = 35;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The default source: the wall clock and {@link ThreadLocalRandom}, which never blocks. */
    public static final IdSource DEFAULT = new IdSource() {
        @Override
        public long epochSecond() {
            return System.currentTimeMillis() / 1000L;
        }

        @Override
        public long randomHigh() {
            return ThreadLocalRandom.current().nextLong();
        }

        @Override
        public int randomLow() {
            return ThreadLocalRandom.current().nextInt();
        }

        @Override
        public String toString() {
            return "clock + ThreadLocalRandom";
        }
    };

    private static volatile IdSource source = DEFAULT;

    private Ids() {
    }

    /** A new identifier. */
    public static String newId() {
        byte[] b = new byte[LENGTH];
        write(b, 0);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * Installs the identifier source (the engine's only global state) and returns the one it replaces.
     * Meant for tests; {@code null} restores {@link #DEFAULT}.
     */
    public static IdSource use(IdSource newSource) {
        IdSource previous = source;
        source = newSource == null ? DEFAULT : newSource;
        return previous;
    }

    /** Writes a new identifier at {@code b[off]}; returns the offset after it. */
    static int write(byte[] b, int off) {
        IdSource s = source;
        long time = s.epochSecond();
        long high = s.randomHigh();
        int low = s.randomLow();
        b[off] = '1';
        b[off + 1] = '-';
        hex(b, off + 2, time, 8);
        b[off + 10] = '-';
        hex(b, off + 11, high, 16);
        hex(b, off + 27, low, 8);
        return off + LENGTH;
    }

    private static void hex(byte[] b, int off, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b[off + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}

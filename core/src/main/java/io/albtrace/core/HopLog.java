package io.albtrace.core;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The hop log (SPEC 8): with {@code albtrace.hoplog} set, one JSON object per line for each request that comes in
 * and each that goes out, as the balancer's access log does for the first hop.
 *
 * <p>The request's thread only hands a {@link Line} (the request's own object, already holding what the line says)
 * to a bounded queue ({@link #submit}): it never formats, never writes and never waits. One daemon thread,
 * {@value #THREAD_NAME}, started with the first line (not at start-up), formats and writes the lines in batches. When
 * the queue is full the line is dropped and counted; the count is said on stderr ({@code [albtrace]}) at once and then
 * at most once a minute. A file is appended to, and rotated by size: {@code FILE} becomes {@code FILE.1}, which
 * becomes {@code FILE.2}, up to {@code albtrace.hoplog.max.files}. At the JVM's shutdown a hook writes what is queued
 * and says how many lines were lost in all, if any; a line offered after that is said too (never a silent loss).
 */
public final class HopLog {

    /** The writer thread's name. */
    public static final String THREAD_NAME = "albtrace-hoplog";
    /** How many lines the queue holds: some 16 thousand, a second of a busy service. */
    public static final int CAPACITY = 16_384;
    /** The most lines written in one batch. */
    static final int BATCH = 1024;
    /** How often the loss of lines is said at most. */
    static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private HopLog() {
    }

    /** A line of the hop log: the request's own object, formatted on the writer's thread. */
    public interface Line {

        /** Appends the JSON object, without the line's end, for service {@code svc}. */
        void appendTo(StringBuilder out, String svc);
    }

    /** True when {@code albtrace.hoplog} is set (a volatile read and a field). Never throws. */
    public static boolean on() {
        try {
            return Config.current().hoplog() != null;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Hands {@code line} to the writer; returns at once, whether it was queued or dropped (counted). Starts the
     * writer with the first line. Never throws.
     */
    public static void submit(Line line) {
        try {
            Writer.INSTANCE.offer(line);
        } catch (Throwable e) {
            Log.warnOnce("hoplog-submit", "hop log: a line could not be queued (said once; the lines are lost): "
                    + e);
        }
    }

    /**
     * Waits until every line submitted before this call is written (for tests and the demo). Returns false when that
     * did not happen within {@code millis}.
     */
    public static boolean awaitWritten(long millis) {
        return Writer.INSTANCE.awaitWritten(millis);
    }

    /** Lines handed to the writer since the JVM started (dropped ones included). */
    public static long submitted() {
        return Writer.INSTANCE.submitted();
    }

    /**
     * Takes what is queued and drops it, unwritten and uncounted as lost; returns how many. For benchmarks only: the
     * request's path measured at any rate, without the writer's formatting and writing.
     */
    public static int discardQueued() {
        return Writer.INSTANCE.discard();
    }

    /** Lines dropped because the queue was full, since the JVM started. */
    public static long dropped() {
        return Writer.INSTANCE.dropped.get();
    }

    // ---- formatting, on the writer's thread ----

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Appends {@code ,"key":"value"} with {@code value} escaped for JSON and for a line (SPEC 6: nothing outside
     * visible ASCII; {@code "}, {@code \} and every other character as JSON escapes) and cut to
     * {@link Log#VALUE_CHARS} printed characters, then {@code ...(cut from N characters)}. Nothing when null.
     */
    public static void field(StringBuilder out, String key, String value) {
        if (value == null) {
            return;
        }
        out.append(",\"").append(key).append("\":\"");
        string(out, value, Log.VALUE_CHARS);
        out.append('"');
    }

    /** Appends {@code value}'s characters escaped (see {@link #field}), at most {@code limit} printed. */
    static void string(StringBuilder out, String value, int limit) {
        int n = value.length();
        int plain = 0;
        while (plain < n && plain < limit) {
            char c = value.charAt(plain);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        if (plain == n) {
            out.append(value); // the usual value: nothing to escape, within the bound
            return;
        }
        out.append(value, 0, plain);
        int room = limit - plain;
        int i = plain;
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            int width = c >= 0x20 && c <= 0x7E ? (c == '"' || c == '\\' ? 2 : 1) : 6;
            if (width > room) {
                break;
            }
            room -= width;
            if (width == 1) {
                out.append(c);
            } else if (width == 2) {
                out.append('\\').append(c);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            }
        }
        if (i < value.length()) {
            out.append("...(cut from ").append(value.length()).append(" characters)");
        }
    }

    /** Appends {@code "ts":"2026-12-07T19:42:26.123Z"}: {@code epochMillis} in ISO 8601 UTC with milliseconds. */
    public static void timestamp(StringBuilder out, long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        long ms = Math.floorMod(epochMillis, 86_400_000L);
        // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        out.append("\"ts\":\"");
        pad(out, y, 4).append('-');
        pad(out, m, 2).append('-');
        pad(out, d, 2).append('T');
        pad(out, ms / 3_600_000, 2).append(':');
        pad(out, ms / 60_000 % 60, 2).append(':');
        pad(out, ms / 1000 % 60, 2).append('.');
        pad(out, ms % 1000, 3).append("Z\"");
    }

    private static StringBuilder pad(StringBuilder out, long n, int digits) {
        if (n < 0 || n >= 10_000) {
            return out.append(n);
        }
        int d = (int) n;
        for (int unit = 1000, place = 4; place > 0; unit /= 10, place--) {
            if (place <= digits || d >= unit) {
                out.append((char) ('0' + d / unit % 10));
            }
        }
        return out;
    }

    /** Appends {@code ,"ms":1.234}: {@code nanos} as milliseconds with three decimals. */
    public static void millis(StringBuilder out, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        out.append(",\"ms\":").append(micros / 1000).append('.');
        pad(out, micros % 1000, 3);
    }

    /**
     * {@code albtrace.service.name}, else the name of what the JVM runs: the jar's file name without {@code .jar}
     * ({@code java -jar /app/orders-1.2.jar}: {@code orders-1.2}), else the main class's simple name
     * ({@code com.example.OrdersApplication}: {@code OrdersApplication}), else {@code java}.
     */
    public static String serviceName(Config config) {
        String name = config.serviceName();
        return name != null ? name : defaultServiceName(System.getProperty("sun.java.command"));
    }

    /** The service name of a JVM whose {@code sun.java.command} is {@code command} (see {@link #serviceName}). */
    static String defaultServiceName(String command) {
        String first = command == null ? "" : command.trim();
        int blank = first.indexOf(' ');
        if (blank >= 0) {
            first = first.substring(0, blank);
        }
        String name;
        if (first.endsWith(".jar")) {
            name = first.substring(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1,
                    first.length() - 4);
        } else {
            name = first.substring(Math.max(first.lastIndexOf('.'), first.lastIndexOf('/')) + 1);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < Config.SERVICE_NAME_CHARS; i++) {
            char c = name.charAt(i);
            b.append(c >= 0x20 && c <= 0x7E ? c : '_');
        }
        return b.length() == 0 ? "java" : b.toString();
    }

    // ---- the writer ----

    /**
     * A bounded queue of lines for many producers (the requests' threads) and one consumer at a time (the writer, or
     * the shutdown hook, under the writer's lock): an offer is a compare-and-set, never a lock and never a wait, and
     * allocates nothing; a full queue refuses the line.
     */
    static final class Ring {
        private final AtomicReferenceArray<Line> slots;
        private final int mask;
        /** The next position to fill: lines accepted since the start. */
        final AtomicLong tail = new AtomicLong();
        /** The next position to take; written by the consumer only. */
        private volatile long head;

        Ring(int capacity) {
            int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
            slots = new AtomicReferenceArray<>(size);
            mask = size - 1;
        }

        int capacity() {
            return mask + 1;
        }

        boolean offer(Line line) {
            long t;
            do {
                t = tail.get();
                if (t - head > mask) {
                    return false;
                }
            } while (!tail.compareAndSet(t, t + 1));
            slots.set((int) t & mask, line);
            return true;
        }

        /**
         * Takes up to {@code max} lines into {@code to}, in order; stops at a position claimed whose line is not
         * there yet (its producer is between the claim and the store: the next call takes it).
         */
        int drainTo(List<Line> to, int max) {
            long h = head;
            int n = 0;
            while (n < max) {
                int at = (int) h & mask;
                Line line = slots.get(at);
                if (line == null) {
                    break;
                }
                slots.set(at, null);
                to.add(line);
                h++;
                n++;
            }
            head = h;
            return n;
        }

        boolean isEmpty() {
            return tail.get() == head;
        }
    }

    /** The queue and the thread that empties it; made (and its thread started) with the first line. */
    static final class Writer implements Runnable {

        static final Writer INSTANCE = new Writer(CAPACITY, true);

        private final Ring queue;
        final AtomicLong dropped = new AtomicLong();
        /** Lines taken from the queue and written (or counted lost); waited on in {@link #awaitWritten}. */
        private long consumed;
        private final Object progress = new Object();
        /** Lines that could not be written (a file that cannot be opened or written). */
        private long failed;
        private long droppedSaid;
        private long failedSaid;
        private long lastSaidNanos;
        private boolean everSaid;
        /** Set by the writer before a long sleep: the next line wakes it. */
        private volatile boolean idle;
        private volatile boolean closed;
        private final Thread thread;

        // the destination, on the writer's thread (or the shutdown hook's, under this object's lock)
        private String destination;
        private OutputStream file;
        private long size;
        private long nextOpenNanos;
        private String svc;
        private final StringBuilder text = new StringBuilder(1024);
        private byte[] bytes = new byte[64 * 1024];
        private final List<Line> batch = new ArrayList<>(BATCH);

        Writer(int capacity, boolean start) {
            queue = new Ring(capacity);
            if (start) {
                thread = new Thread(this, THREAD_NAME);
                thread.setDaemon(true);
                thread.start();
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, THREAD_NAME + "-shutdown"));
                } catch (IllegalStateException shuttingDown) {
                    closed = true;
                }
            } else {
                thread = null;
            }
        }

        void offer(Line line) {
            if (closed) {
                Log.warnOnce("hoplog-closed", "hop log: a request ended after the JVM began to shut down and the"
                        + " hop log was closed: its line, and those of any later one, are not written");
                return;
            }
            if (!queue.offer(line)) {
                dropped.incrementAndGet();
            }
            if (idle) {
                idle = false;
                LockSupport.unpark(thread);
            }
        }

        /** Lines accepted and lines dropped since the start. */
        long submitted() {
            return queue.tail.get() + dropped.get();
        }

        boolean awaitWritten(long millis) {
            long target = queue.tail.get();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            if (thread != null) {
                idle = false;
                LockSupport.unpark(thread);
            }
            synchronized (progress) {
                while (consumed < target) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        public void run() {
            int emptyRounds = 0;
            while (!closed) {
                try {
                    if (drainAndWrite(BATCH) > 0) {
                        emptyRounds = 0;
                        continue;
                    }
                    sayLosses(false);
                    if (++emptyRounds < 100) {
                        LockSupport.parkNanos(10_000_000L); // 10 ms while lines come
                    } else {
                        idle = true;
                        if (queue.isEmpty()) {
                            LockSupport.parkNanos(1_000_000_000L); // idle: a line wakes it
                        }
                        idle = false;
                    }
                } catch (Throwable e) {
                    Log.warnOnce("hoplog-writer", "hop log: the writer failed (said once); it goes on: " + e);
                }
            }
        }

        /** Takes up to {@code max} lines from the queue and writes them; returns how many. */
        synchronized int drainAndWrite(int max) {
            batch.clear();
            int n = queue.drainTo(batch, max);
            if (n > 0) {
                write(batch);
            }
            return n;
        }

        /** Writes a batch: formats each line and writes it where {@code albtrace.hoplog} says, rotating a file. */
        synchronized void write(List<Line> lines) {
            List<Line> batch = lines;
            Config config = Config.current();
            String where = config.hoplog();
            try {
                if (where == null) {
                    return; // switched off meanwhile (a test's settings): the lines are not wanted
                }
                if (svc == null || !where.equals(destination)) {
                    svc = serviceName(config);
                }
                if (where.equals(Config.HOPLOG_STDERR) || where.equals(Config.HOPLOG_STDOUT)) {
                    closeFile();
                    destination = where;
                    int length = 0;
                    for (Line line : batch) {
                        format(line);
                        text.append('\n');
                        length = encode(length);
                    }
                    // one write for the batch: the stream's lock keeps the application's own lines out of it
                    PrintStream out = where.equals(Config.HOPLOG_STDERR) ? System.err : System.out;
                    out.write(bytes, 0, length);
                    out.flush();
                    return;
                }
                writeFile(batch, config, where);
            } finally {
                synchronized (progress) {
                    consumed += batch.size();
                    progress.notifyAll();
                }
            }
        }

        /** Appends {@link #text} (visible ASCII and line ends only) to {@link #bytes} at {@code at}; the new end. */
        private int encode(int at) {
            int n = text.length();
            if (bytes.length < at + n) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, at + n));
            }
            for (int i = 0; i < n; i++) {
                bytes[at + i] = (byte) text.charAt(i);
            }
            return at + n;
        }

        private void format(Line line) {
            text.setLength(0);
            try {
                line.appendTo(text, svc);
            } catch (Throwable e) {
                text.setLength(0);
                text.append("{\"error\":\"");
                string(text, String.valueOf(e), Log.VALUE_CHARS);
                text.append("\"}");
                Log.warnOnce("hoplog-format", "hop log: a line could not be formatted (said once): " + e);
            }
        }

        private void writeFile(List<Line> batch, Config config, String where) {
            if (!where.equals(destination)) {
                closeFile();
                destination = where;
                nextOpenNanos = 0;
            }
            if (file == null && !open(where)) {
                failed += batch.size();
                return;
            }
            int written = 0;
            try {
                long max = config.hoplogMaxBytes();
                for (Line line : batch) {
                    format(line);
                    text.append('\n');
                    int length = encode(0);
                    if (max > 0 && size > 0 && size + length > max) {
                        rotate(where, config.hoplogMaxFiles());
                    }
                    file.write(bytes, 0, length);
                    size += length;
                    written++;
                }
                file.flush();
            } catch (IOException | RuntimeException e) {
                failed += batch.size() - written;
                Log.warn("hop log: cannot write " + Log.value(where) + " (" + Log.value(String.valueOf(e))
                        + "); lines are counted as lost until it can be opened again (tried at most once a minute)");
                closeFile();
                nextOpenNanos = System.nanoTime() + REPORT_EVERY_NANOS;
            }
        }

        /** Opens {@code where} to append to; false (said once a minute at most) when it cannot be. */
        private boolean open(String where) {
            long now = System.nanoTime();
            if (nextOpenNanos != 0 && now - nextOpenNanos < 0) {
                return false;
            }
            try {
                File f = new File(where);
                if (f.isDirectory()) {
                    throw new IOException("it is a directory");
                }
                file = new BufferedOutputStream(new FileOutputStream(f, true), 64 * 1024);
                size = f.length();
                nextOpenNanos = 0;
                return true;
            } catch (IOException | RuntimeException e) {
                Log.warn("hop log: cannot open " + Log.value(where) + " to append to (" + Log.value(String.valueOf(e))
                        + "); its lines are counted as lost; tried again in a minute");
                nextOpenNanos = now + REPORT_EVERY_NANOS;
                return false;
            }
        }

        /** {@code where} becomes {@code where.1}, {@code where.1} becomes {@code where.2}, ... up to {@code keep}. */
        private void rotate(String where, int keep) throws IOException {
            closeFile();
            Path path = Paths.get(where);
            for (int i = keep - 1; i >= 1; i--) {
                Path from = Paths.get(where + "." + i);
                if (Files.exists(from)) {
                    Files.move(from, Paths.get(where + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(path, Paths.get(where + ".1"), StandardCopyOption.REPLACE_EXISTING);
            if (!open(where)) {
                throw new IOException("cannot open it again after rotating it");
            }
        }

        private void closeFile() {
            if (file != null) {
                try {
                    file.close();
                } catch (IOException ignored) {
                    // its lines were flushed or counted
                }
                file = null;
            }
        }

        /**
         * Says what was lost since it was last said: at once the first time, then at most once a minute; at the end
         * ({@code last}) whatever is left.
         */
        synchronized void sayLosses(boolean last) {
            long d = dropped.get();
            long f = failed;
            long late = last ? queue.tail.get() - consumed : 0;
            if (d == droppedSaid && f == failedSaid && late <= 0) {
                return;
            }
            long now = System.nanoTime();
            if (!last && everSaid && now - lastSaidNanos < REPORT_EVERY_NANOS) {
                return;
            }
            StringBuilder m = new StringBuilder("hop log: ");
            if (d > droppedSaid) {
                m.append(d - droppedSaid).append(" lines dropped").append(everSaid ? " since the last report" : "")
                        .append(" (the queue of ").append(queue.capacity())
                        .append(" lines was full: the writer could not keep up); ").append(d).append(" in all");
            }
            if (f > failedSaid) {
                m.append(d > droppedSaid ? "; " : "").append(f - failedSaid)
                        .append(" lines not written (the destination failed); ").append(f).append(" in all");
            }
            if (late > 0) {
                m.append(d > droppedSaid || f > failedSaid ? "; " : "").append(late)
                        .append(" lines of requests that ended while the JVM shut down not written");
            }
            if (last) {
                m.append(" (at shutdown)");
            }
            droppedSaid = d;
            failedSaid = f;
            lastSaidNanos = now;
            everSaid = true;
            Log.warn(m.toString());
        }

        synchronized int discard() {
            batch.clear();
            int n = queue.drainTo(batch, Integer.MAX_VALUE);
            batch.clear();
            synchronized (progress) {
                consumed += n;
                progress.notifyAll();
            }
            return n;
        }

        /** Takes what is queued (for tests of a writer without its thread). */
        synchronized void drainForTest(List<Line> to) {
            queue.drainTo(to, Integer.MAX_VALUE);
        }

        /** The shutdown hook: writes what is queued, closes the file, says what was lost. */
        void shutdown() {
            closed = true;
            synchronized (this) {
                while (drainAndWrite(Integer.MAX_VALUE) > 0) {
                    // until no line is left
                }
                closeFile();
            }
            sayLosses(true);
        }
    }
}

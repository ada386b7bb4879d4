package io.albtrace.agent.internal.tree;

import io.albtrace.core.HopLog;
import io.albtrace.core.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * {@code java -jar albtrace-agent.jar tree [--root ROOT] [--alb ACCESS_LOG]... [--svg FILE] [--json] HOPLOG...}: the
 * call tree of each Root from hop logs (SPEC 8) and, optionally, the balancer's access logs. Files are read as streams,
 * plain or {@code .gz}; with {@code --root} only that Root's lines are kept (memory bounded by them); without it, at
 * most {@value #MAX_LINES} lines in all. A line that is neither is skipped and counted; nothing in the files makes it
 * fail.
 */
public final class TreeCommand {

    public static final String USAGE_LINE =
            "java -jar albtrace-agent.jar tree [--root ROOT] [--alb ACCESS_LOG]... [--svg FILE] [--json] HOPLOG...";
    /** The most lines kept without {@code --root}. */
    static final int MAX_LINES = 500_000;
    /** The most lines of one Root kept with {@code --root}. */
    static final int MAX_ROOT_LINES = 100_000;
    /** How many damaged lines are named. */
    static final int NAMED_DAMAGED = 5;

    private final PrintStream out;
    private final PrintStream err;
    private String root;
    private final List<String> albs = new ArrayList<>();
    private final List<String> hoplogs = new ArrayList<>();
    private String svg;
    private boolean json;

    private final List<Hop> lines = new ArrayList<>();
    private long order;
    private long damaged;
    private final List<String> damagedAt = new ArrayList<>();
    private long leftOut;
    private boolean unreadable;

    public TreeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code tree} with {@code args} ({@code args[0]} is {@code tree}); returns the exit status. */
    public int run(String[] args) {
        try {
            if (!parse(args)) {
                err.println("usage: " + USAGE_LINE);
                return 2;
            }
            for (String f : albs) {
                read(f, true);
            }
            for (String f : hoplogs) {
                read(f, false);
            }
            List<Trees.Tree> trees = trees();
            if (json) {
                out.print(Render.json(trees, damaged));
            } else {
                out.print(Render.text(trees));
            }
            out.flush();
            if (svg != null) {
                try (Writer w = Files.newBufferedWriter(Paths.get(svg), StandardCharsets.UTF_8)) {
                    w.write(Render.svg(trees));
                } catch (IOException | RuntimeException e) {
                    err.println("[albtrace] tree: cannot write " + Log.value(svg) + ": " + Log.value(String.valueOf(e)));
                    return 1;
                }
            }
            if (damaged > 0) {
                err.println("[albtrace] tree: " + damaged + " line" + (damaged == 1 ? "" : "s")
                        + " skipped, neither a hop log line nor an access-log entry with a Root (damaged, cut or"
                        + " another program's): " + String.join(", ", damagedAt) + (damaged > damagedAt.size()
                        ? ", ..." : ""));
            }
            if (leftOut > 0) {
                err.println("[albtrace] tree: " + leftOut + " lines left out over the bound of "
                        + (root == null ? MAX_LINES + " lines (give --root ROOT to read one Root from any amount)"
                        : MAX_ROOT_LINES + " lines of one Root"));
            }
            if (trees.isEmpty()) {
                err.println("[albtrace] tree: no line" + (root == null ? "" : " of Root " + Log.value(root))
                        + " found");
                return 1;
            }
            return unreadable ? 1 : 0;
        } catch (StackOverflowError e) {
            err.println("[albtrace] tree: the calls nest too deep to print");
            return 1;
        }
    }

    private boolean parse(String[] args) {
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            boolean hasValue = i + 1 < args.length;
            switch (a) {
                case "--root":
                    if (!hasValue) {
                        return missing(a);
                    }
                    root = args[++i].trim();
                    if (root.startsWith("Root=")) {
                        root = root.substring(5);
                    }
                    break;
                case "--alb":
                    if (!hasValue) {
                        return missing(a);
                    }
                    albs.add(args[++i]);
                    break;
                case "--svg":
                    if (!hasValue) {
                        return missing(a);
                    }
                    svg = args[++i];
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    if (a.startsWith("--")) {
                        err.println("[albtrace] tree: unknown option " + Log.value(a));
                        return false;
                    }
                    hoplogs.add(a);
            }
        }
        if (hoplogs.isEmpty()) {
            err.println("[albtrace] tree: no hop log given");
            return false;
        }
        return true;
    }

    private boolean missing(String option) {
        err.println("[albtrace] tree: " + option + " needs a value");
        return false;
    }

    /** Reads one file, a stream: only the lines of {@code --root} when given. */
    private void read(String file, boolean alb) {
        Path path = Paths.get(file);
        String name = path.getFileName() == null ? file : path.getFileName().toString();
        try (InputStream raw = Files.newInputStream(path);
                InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw, 64 * 1024) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1),
                        256 * 1024)) {
            String line;
            long number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isEmpty() || root != null && !line.contains(root)) {
                    continue; // not of the Root asked for: not even parsed
                }
                Hop h = alb ? Lines.alb(line) : Lines.hop(line);
                if (h == null || root != null && !root.equals(h.root)) {
                    if (h == null) {
                        damaged++;
                        if (damagedAt.size() < NAMED_DAMAGED) {
                            damagedAt.add(Log.value(name) + ":" + number);
                        }
                    }
                    continue;
                }
                if (lines.size() >= (root == null ? MAX_LINES : MAX_ROOT_LINES)) {
                    leftOut++;
                    continue;
                }
                h.where = name + ":" + number;
                h.order = order++;
                lines.add(h);
            }
        } catch (IOException | RuntimeException e) {
            unreadable = true;
            err.println("[albtrace] tree: cannot read " + Log.value(file) + " (" + Log.value(String.valueOf(e))
                    + "); what was read of it is used");
        }
    }

    private List<Trees.Tree> trees() {
        TreeSet<String> hopRoots = new TreeSet<>();
        for (Hop h : lines) {
            if (!Hop.ALB.equals(h.dir)) {
                hopRoots.add(h.root);
            }
        }
        List<Trees.Tree> trees = new ArrayList<>();
        for (Map.Entry<String, List<Hop>> e : Trees.byRoot(lines).entrySet()) {
            // a balancer's entry alone is shown only when its Root was asked for (access logs hold every request)
            if (hopRoots.contains(e.getKey()) || e.getKey().equals(root)) {
                trees.add(Trees.build(e.getKey(), e.getValue(), root != null ? leftOut : 0));
            }
        }
        return trees;
    }

    /** {@code 12.345}: microseconds as milliseconds with three decimals. */
    static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    /** Escaped and cut as the agent prints any value from a request. */
    static String shown(String value) {
        return Log.value(value);
    }

    /** A JSON member, as the hop log writes it. */
    static void member(StringBuilder b, String key, String value) {
        HopLog.field(b, key, value);
    }
}

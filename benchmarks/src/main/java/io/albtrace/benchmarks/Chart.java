package io.albtrace.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code benchmarks/results.svg}: the cost of each agent (no agent, albtrace, OpenTelemetry) relative to no
 * agent, from the two benchmarks' own output, with no library: start-up wall and CPU time per application from
 * {@code startup.sh} ({@code benchmarks/target/startup.tsv}), and per-request time (sample-time p50) and allocation
 * per client from {@link ClientRequestBenchmark} ({@code -rf csv -rff benchmarks/target/request.csv}). Either input
 * may be missing; its panel is then left out. Several start-up runs (another JDK, another set of applications, each
 * written by {@code startup.sh} with {@code OUT=file.tsv}) are given as one argument, comma-separated; each application
 * and Java version is a group of its own. Run from the repository root:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.albtrace.benchmarks.Chart [startup.tsv[,more.tsv...]] [request.csv] [out.svg]</pre>
 */
public final class Chart {

    private static final String[] COLORS = {"#9e9e9e", "#1f77b4", "#7fb2dc", "#d62728"};
    private static final int WIDTH = 900;
    private static final int BAR = 16;

    private final StringBuilder svg = new StringBuilder();
    private int y = 40;

    private Chart() {
    }

    public static void main(String[] args) throws IOException {
        List<Path> startup = new ArrayList<>();
        for (String file : (args.length > 0 ? args[0] : "benchmarks/target/startup.tsv").split(",")) {
            startup.add(Paths.get(file));
        }
        Path request = Paths.get(args.length > 1 ? args[1] : "benchmarks/target/request.csv");
        Path out = Paths.get(args.length > 2 ? args[2] : "benchmarks/results.svg");
        Chart chart = new Chart();
        chart.text(20, 24, "albtrace vs OpenTelemetry's Java agent: cost relative to no agent (1.00 = no agent)", 15,
                "bold");
        List<String> startupLines = new ArrayList<>();
        for (Path file : startup) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                startupLines.addAll(lines.subList(1, lines.size()));
            }
        }
        if (!startupLines.isEmpty()) {
            chart.startup(startupLines);
        }
        if (Files.exists(request)) {
            chart.request(Files.readAllLines(request, StandardCharsets.UTF_8));
        }
        String doc = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + (chart.y + 10)
                + "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + chart.svg
                + "</svg>\n";
        Files.write(out, doc.getBytes(StandardCharsets.UTF_8));
        System.out.println("wrote " + out);
    }

    /**
     * startup.tsv rows without their header: app, agent, wall_ms, cpu_ms, rss_kib, the same three of the variant's
     * baseline, and (since the AOT cache rows) the Java feature version.
     */
    private void startup(List<String> lines) {
        Map<String, List<String[]>> apps = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            String group = f[0] + " application" + (f.length > 8 ? ", Java " + f[8] : "");
            apps.computeIfAbsent(group, k -> new ArrayList<>()).add(f);
        }
        heading("Start-up, whole process (startup.sh): wall, CPU (user+sys), peak RSS; medians, ratio to no agent");
        text(20, y + 4, "(with an AppCDS archive or an AOT cache: ratio to no agent with an archive or cache of its own)",
                11, "normal");
        y += 6;
        for (Map.Entry<String, List<String[]>> app : apps.entrySet()) {
            List<String> labels = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            List<String[]> notes = new ArrayList<>();
            for (String[] f : app.getValue()) {
                labels.add(f[1]);
                double wall = Double.parseDouble(f[2]);
                double cpu = Double.parseDouble(f[3]);
                double rss = Double.parseDouble(f[4]);
                values.add(new double[] {wall / Double.parseDouble(f[5]), cpu / Double.parseDouble(f[6]),
                    rss / Double.parseDouble(f[7])});
                notes.add(new String[] {String.format(Locale.ROOT, "%.0f ms", wall),
                    String.format(Locale.ROOT, "%.0f ms", cpu), String.format(Locale.ROOT, "%.0f MiB", rss / 1024)});
            }
            group(app.getKey(), new String[] {"wall", "CPU", "RSS"}, labels, values, notes);
        }
    }

    /**
     * request.csv (JMH): per client and context, the sample-time p50 and the allocation (gc.alloc.rate.norm, from the
     * throughput mode) of each agent method, as a ratio to noAgent.
     */
    private void request(List<String> lines) {
        String[] header = csv(lines.get(0));
        int clientCol = indexOf(header, "Param: client");
        int contextCol = indexOf(header, "Param: inContext");
        // case (client, context) -> method -> {p50, B/op, ops/us, p99, ops/us error}
        Map<String, Map<String, double[]>> cases = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = csv(line);
            // io.albtrace.benchmarks.ClientRequestBenchmark.agent[:gc.alloc.rate.norm | :p0.50 ...]
            int colon = f[0].indexOf(':');
            String full = colon < 0 ? f[0] : f[0].substring(0, colon);
            String method = full.substring(full.lastIndexOf('.') + 1);
            String metric = colon < 0 ? "" : f[0].substring(colon + 1);
            String key = f[clientCol] + ("true".equals(f[contextCol]) ? ", in a context" : ", no context");
            double[] v = cases.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .computeIfAbsent(method, k -> new double[5]);
            double score = Double.parseDouble(f[4]);
            // the first row of each wins: with benchmarks/request.sh's rounds, the first round, the one where
            // OpenTelemetry ran too, right after the no-agent and albtrace forks of the same case
            if ("sample".equals(f[1]) && metric.equals("p0.50")) {
                v[0] = v[0] == 0 ? score : v[0];
            } else if ("sample".equals(f[1]) && metric.equals("p0.99")) {
                v[3] = v[3] == 0 ? score : v[3];
            } else if ("thrpt".equals(f[1]) && metric.equals("gc.alloc.rate.norm")) {
                v[1] = v[1] == 0 ? score : v[1];
            } else if ("thrpt".equals(f[1]) && metric.isEmpty() && v[2] == 0) {
                v[2] = score;
                v[4] = f[5].isEmpty() || "NaN".equals(f[5]) ? 0 : Double.parseDouble(f[5]);
            }
        }
        table(cases);
        heading("Per request, loopback keep-alive GET (ClientRequestBenchmark): time p50 and bytes allocated, ratio to no agent");
        String[] order = {"noAgent", "agent", "otel"};
        String[] names = {"no agent", "albtrace", "OpenTelemetry"};
        for (Map.Entry<String, Map<String, double[]>> c : cases.entrySet()) {
            double[] base = c.getValue().get("noAgent");
            if (base == null) {
                continue;
            }
            List<String> labels = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            List<String[]> notes = new ArrayList<>();
            for (int i = 0; i < order.length; i++) {
                double[] v = c.getValue().get(order[i]);
                if (v == null) {
                    continue;
                }
                labels.add(names[i]);
                values.add(new double[] {base[0] > 0 ? v[0] / base[0] : 0, base[1] > 0 ? v[1] / base[1] : 0});
                notes.add(new String[] {String.format(Locale.ROOT, "%.1f us", v[0]),
                    String.format(Locale.ROOT, "%.0f B", v[1])});
            }
            group(c.getKey(), new String[] {"p50", "alloc"}, labels, values, notes);
        }
    }

    /** The per-request figures as a Markdown table on stdout, for RESULTS.md. */
    private static void table(Map<String, Map<String, double[]>> cases) {
        System.out.println("| client, case | agent | requests/s | of no agent | p50, us | added p50, us | p99, us | B/request |"
                + " added B/request |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        String[] order = {"noAgent", "agent", "otel"};
        String[] names = {"no agent", "albtrace", "OpenTelemetry"};
        for (Map.Entry<String, Map<String, double[]>> c : cases.entrySet()) {
            double[] base = c.getValue().get("noAgent");
            for (int i = 0; i < order.length; i++) {
                double[] v = c.getValue().get(order[i]);
                if (v == null || base == null) {
                    continue;
                }
                System.out.println(String.format(Locale.ROOT,
                        "| %s | %s | %,.0f ± %,.0f | %.1f%% | %.1f | %+.1f | %.1f | %,.0f | %+,.0f |", c.getKey(), names[i],
                        v[2] * 1e6, v[4] * 1e6, 100 * v[2] / base[2], v[0], v[0] - base[0], v[3], v[1], v[1] - base[1]));
            }
        }
    }

    private void heading(String title) {
        y += 14;
        text(20, y, title, 13, "bold");
        y += 10;
    }

    /** One group: per metric a row of bars, one per agent, scaled to the group's largest ratio. */
    private void group(String title, String[] metrics, List<String> agents, List<double[]> values, List<String[]> notes) {
        y += 18;
        text(30, y, title, 12, "normal");
        double max = 1;
        for (double[] v : values) {
            for (double d : v) {
                max = Math.max(max, d);
            }
        }
        // room for the longest label (11 px sans-serif: about 6 px a character), at least 200 px
        int longest = 0;
        for (String metric : metrics) {
            for (String agent : agents) {
                longest = Math.max(longest, metric.length() + 2 + agent.length());
            }
        }
        int left = Math.max(200, 20 + 6 * longest);
        int span = WIDTH - left - 190;
        for (int m = 0; m < metrics.length; m++) {
            y += 6;
            for (int a = 0; a < agents.size(); a++) {
                double r = values.get(a)[m];
                int w = (int) Math.round(span * r / max);
                int top = y + a * (BAR + 2);
                text(left - 8, top + BAR - 4, metrics[m] + ", " + agents.get(a), 11, "normal", "end");
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", left, top, Math.max(w, 1),
                        BAR, COLORS[Math.min(colorOf(agents.get(a)), COLORS.length - 1)]));
                text(left + w + 6, top + BAR - 4, String.format(Locale.ROOT, "%.2fx (%s)", r, notes.get(a)[m]), 11,
                        "normal");
            }
            // the no-agent line
            int x1 = left + (int) Math.round(span / max);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\" stroke-dasharray=\"3,3\"/>\n", x1,
                    y - 2, x1, y + agents.size() * (BAR + 2)));
            y += agents.size() * (BAR + 2);
        }
    }

    private static int colorOf(String agent) {
        if (agent.startsWith("no agent") || agent.startsWith("empty agent")) {
            return 0; // no agent, and the empty agent (a premain that does nothing)
        }
        if (agent.equals("albtrace")) {
            return 1;
        }
        if (agent.startsWith("albtrace")) {
            return 2;
        }
        return 3;
    }

    private void text(int x, int atY, String s, int size, String weight) {
        text(x, atY, s, size, weight, "start");
    }

    private void text(int x, int atY, String s, int size, String weight, String anchor) {
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>\n", x, atY, size,
                weight, anchor, s.replace("&", "&amp;").replace("<", "&lt;")));
    }

    private static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no column " + name + " in the JMH CSV (run with -rf csv)");
    }

    /** One line of JMH's CSV: fields in double quotes or bare, comma-separated. */
    private static String[] csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out.toArray(new String[0]);
    }
}

package io.albtrace.agent.internal.tree;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The trees as text (one line per hop, indented by depth), JSON ({@code --json}) and an SVG waterfall. */
final class Render {

    private Render() {
    }

    // ---- text ----

    static String text(List<Trees.Tree> trees) {
        StringBuilder b = new StringBuilder();
        for (Trees.Tree t : trees) {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append("Root=").append(TreeCommand.shown(t.root)).append("  ").append(t.lines.size())
                    .append(t.lines.size() == 1 ? " line" : " lines").append(", services: ")
                    .append(String.join(", ", services(t))).append(", ")
                    .append(TreeCommand.millis(t.endMicros - t.startMicros)).append(" ms from the first start to the"
                            + " last end, from ").append(Instant.ofEpochSecond(t.startMicros / 1_000_000,
                            t.startMicros % 1_000_000 * 1000)).append('\n');
            for (Hop h : t.top) {
                text(b, t, h, 0);
            }
            if (t.leftOut > 0) {
                b.append("(").append(t.leftOut).append(" more lines of this Root left out)\n");
            }
        }
        return b.toString();
    }

    private static void text(StringBuilder b, Trees.Tree t, Hop h, int depth) {
        for (int i = 0; i < depth; i++) {
            b.append("  ");
        }
        b.append('+').append(TreeCommand.millis(h.startMicros - t.startMicros)).append(" ms  ")
                .append(TreeCommand.shown(h.svc)).append(' ').append(h.dir).append("  ")
                .append(h.method == null ? "-" : TreeCommand.shown(h.method)).append(' ')
                .append(TreeCommand.shown(h.host == null ? "" : h.host)).append(TreeCommand.shown(h.path))
                .append("  ").append(h.status < 0 ? "-" : String.valueOf(h.status)).append("  ")
                .append(h.ms < 0 ? "-" : String.format(Locale.ROOT, "%.3f ms", h.ms));
        if (h.self != null) {
            b.append("  Self=").append(TreeCommand.shown(h.self));
        }
        if (h.problem != null) {
            b.append("  ! ").append(h.problem);
        }
        b.append('\n');
        for (Hop c : h.children) {
            text(b, t, c, depth + 1);
        }
    }

    private static List<String> services(Trees.Tree t) {
        TreeSet<String> names = new TreeSet<>();
        for (Hop h : t.lines) {
            names.add(TreeCommand.shown(h.svc));
        }
        return new ArrayList<>(names);
    }

    // ---- JSON ----

    static String json(List<Trees.Tree> trees, long damaged) {
        StringBuilder b = new StringBuilder("{\"roots\":[");
        for (int i = 0; i < trees.size(); i++) {
            Trees.Tree t = trees.get(i);
            b.append(i == 0 ? "" : ",").append("{\"root\":\"").append(TreeCommand.shown(t.root)).append('"');
            b.append(",\"start\":\"").append(Instant.ofEpochSecond(t.startMicros / 1_000_000,
                    t.startMicros % 1_000_000 * 1000)).append('"');
            b.append(",\"ms\":").append(TreeCommand.millis(t.endMicros - t.startMicros));
            b.append(",\"lines\":").append(t.lines.size()).append(",\"left_out\":").append(t.leftOut);
            b.append(",\"tree\":[");
            for (int j = 0; j < t.top.size(); j++) {
                json(b.append(j == 0 ? "" : ","), t, t.top.get(j));
            }
            b.append("]}");
        }
        b.append("],\"skipped\":").append(damaged).append("}\n");
        return b.toString();
    }

    private static void json(StringBuilder b, Trees.Tree t, Hop h) {
        b.append("{\"dir\":\"").append(h.dir).append('"');
        b.append(",\"offset_ms\":").append(TreeCommand.millis(h.startMicros - t.startMicros));
        TreeCommand.member(b, "svc", h.svc);
        TreeCommand.member(b, "self", h.self);
        TreeCommand.member(b, "parent", h.parent);
        TreeCommand.member(b, "method", h.method);
        TreeCommand.member(b, "host", h.host);
        TreeCommand.member(b, "path", h.path);
        if (h.status >= 0) {
            b.append(",\"status\":").append(h.status);
        }
        if (h.ms >= 0) {
            b.append(",\"ms\":").append(String.format(Locale.ROOT, "%.3f", h.ms));
        }
        TreeCommand.member(b, "trace", h.trace);
        TreeCommand.member(b, "problem", h.problem);
        TreeCommand.member(b, "at", h.where);
        b.append(",\"children\":[");
        for (int i = 0; i < h.children.size(); i++) {
            json(b.append(i == 0 ? "" : ","), t, h.children.get(i));
        }
        b.append("]}");
    }

    // ---- SVG: a waterfall, one row per hop ----

    private static final int ROW = 22;
    private static final int LABEL = 460;
    private static final int BARS = 640;

    static String svg(List<Trees.Tree> trees) {
        List<String> rows = new ArrayList<>();
        int y = 10;
        for (Trees.Tree t : trees) {
            rows.add(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" class=\"root\">Root=%s  (%s ms)</text>", y + 14,
                    xml(TreeCommand.shown(t.root)), TreeCommand.millis(t.endMicros - t.startMicros)));
            y += ROW;
            double span = Math.max(1, t.endMicros - t.startMicros);
            List<Object[]> flat = new ArrayList<>();
            for (Hop h : t.top) {
                flatten(h, 0, flat);
            }
            for (Object[] row : flat) {
                Hop h = (Hop) row[0];
                int depth = (Integer) row[1];
                double x = LABEL + (h.startMicros - t.startMicros) / span * BARS;
                double w = Math.max(1.5, (h.endMicros() - h.startMicros) / span * BARS);
                String label = h.svc + " " + h.dir + " " + (h.method == null ? "" : h.method) + " "
                        + (h.path == null ? "" : h.path) + " " + (h.status < 0 ? "-" : String.valueOf(h.status));
                rows.add(String.format(Locale.ROOT,
                        "<g><title>%s</title><text x=\"%d\" y=\"%d\">%s</text>"
                                + "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" class=\"%s%s\"/>"
                                + "<text x=\"%.1f\" y=\"%d\" class=\"ms\">%s</text></g>",
                        xml(TreeCommand.shown(label + (h.self == null ? "" : " Self=" + h.self)
                                + (h.problem == null ? "" : " ! " + h.problem))),
                        8 + depth * 14, y + 14, xml(TreeCommand.shown(label)), x, y + 3, w, h.dir,
                        h.problem == null ? "" : " problem", Math.min(x + w + 4, LABEL + BARS + 4.0), y + 14,
                        h.ms < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", h.ms)));
                y += ROW;
            }
            y += ROW / 2;
        }
        int width = LABEL + BARS + 80;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(y + 10).append("\" font-family=\"monospace\" font-size=\"12\">\n");
        b.append("<style>.in{fill:#4e79a7}.out{fill:#f28e2b}.alb{fill:#59a14f}.problem{stroke:#d62728;"
                + "stroke-width:2}.root{font-weight:bold}.ms{fill:#555}</style>\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (String row : rows) {
            b.append(row).append('\n');
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void flatten(Hop h, int depth, List<Object[]> out) {
        out.add(new Object[] {h, depth});
        for (Hop c : h.children) {
            flatten(c, depth + 1, out);
        }
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

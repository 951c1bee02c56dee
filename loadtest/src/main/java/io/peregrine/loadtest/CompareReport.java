package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON summaries of a comparison ({@code loadtest/run compare}) into a markdown table
 * and an SVG chart: {@code CompareReport DIR OUT_PREFIX} reads every {@code *.json} in DIR and
 * writes {@code OUT_PREFIX.md} and {@code OUT_PREFIX.svg}, and prints the table.
 *
 * <p>Runs with the same transport, era and load form a group; within it the raw reference comes
 * first and every server's throughput is given as a fraction of the reference's, measured in the
 * same comparison a few seconds apart. When the comparison was repeated, each server's run of
 * median throughput stands for it. The chart shows, per run, the throughput as a bar and p50,
 * p99 and p99.9 on a logarithmic latency axis.
 */
public final class CompareReport {

    private static final List<String> SERVER_ORDER = List.of("raw", "peregrine", "sdk");
    private static final List<String> TRANSPORT_ORDER = List.of("tcp", "ws", "http");

    private CompareReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareReport DIR OUT_PREFIX");
            System.exit(64);
        }
        List<Map<String, Object>> runs = medians(read(Path.of(args[0])));
        if (runs.isEmpty()) {
            System.err.println("CompareReport: no *.json in " + args[0]);
            System.exit(1);
        }
        String table = table(runs);
        Files.writeString(Path.of(args[1] + ".md"), table);
        Files.writeString(Path.of(args[1] + ".svg"), svg(runs));
        System.out.print(table);
    }

    /** Every summary in {@code dir}, sorted by transport, era, load and server. */
    static List<Map<String, Object>> read(Path dir) throws IOException {
        List<Map<String, Object>> runs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                Object tree = JsonTree.parse(Files.readString(f));
                if (tree instanceof Map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> run = (Map<String, Object>) tree;
                    runs.add(run);
                }
            }
        }
        runs.sort(Comparator.<Map<String, Object>>comparingInt(r -> order(TRANSPORT_ORDER, r.get("transport")))
                .thenComparing(r -> String.valueOf(r.get("era")))
                .thenComparingLong(r -> whole(r, "connections"))
                .thenComparingDouble(r -> r.get("depth") instanceof Number ? number(r, "depth") : 0)
                .thenComparingDouble(r -> r.get("rate") instanceof Number ? number(r, "rate") : 0)
                .thenComparingInt(r -> order(SERVER_ORDER, r.get("target"))));
        return runs;
    }

    /**
     * One run per server and group: the run of median throughput (the lower middle of an even
     * count) among repeats, with {@code repeats} set to how many there were.
     */
    static List<Map<String, Object>> medians(List<Map<String, Object>> runs) {
        Map<String, List<Map<String, Object>>> byKey = new LinkedHashMap<>();
        for (Map<String, Object> r : runs) {
            byKey.computeIfAbsent(group(r) + " " + r.get("target"), k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Map<String, Object>> repeats : byKey.values()) {
            repeats.sort(Comparator.comparingDouble(r -> number(r, "throughputPerSecond")));
            Map<String, Object> median = new LinkedHashMap<>(repeats.get((repeats.size() - 1) / 2));
            median.put("repeats", repeats.size());
            out.add(median);
        }
        return out;
    }

    /** The markdown table: one row per run, throughput relative to the raw reference of its group. */
    static String table(List<Map<String, Object>> runs) {
        Map<String, Object> first = runs.get(0);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s B messages, %s s warm-up, %s s measured per run%s; JDK %s, %s cores, %s%n%n",
                first.get("payloadBytes"), plain(first.get("warmupSeconds")), plain(first.get("durationSeconds")),
                first.get("repeats") instanceof Integer && (Integer) first.get("repeats") > 1
                        ? ", median of " + first.get("repeats") + " runs" : "",
                first.get("jvm"), first.get("cores"), first.get("io")));
        b.append("| transport | era | load | server | requests/s | p50 µs | p99 µs | p99.9 µs | errors | / raw |\n");
        b.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Double> reference = new LinkedHashMap<>();
        for (Map<String, Object> run : runs) {
            if ("raw".equals(run.get("target"))) {
                reference.put(group(run), number(run, "throughputPerSecond"));
            }
        }
        for (Map<String, Object> run : runs) {
            double throughput = number(run, "throughputPerSecond");
            Double ref = reference.get(group(run));
            String ratio = "raw".equals(run.get("target")) || ref == null || ref <= 0 ? ""
                    : String.format(Locale.ROOT, "**%.2f**", throughput / ref);
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,.0f | %,d | %,d | %,d | %,d | %s |%n",
                    transportLabel(run.get("transport")), run.get("era"), load(run), label(run.get("target")), throughput,
                    whole(run, "p50Micros"), whole(run, "p99Micros"), whole(run, "p999Micros"), whole(run, "errors"), ratio));
        }
        return b.toString();
    }

    /** A horizontal chart: per run a throughput bar, and p50 / p99 / p99.9 on a log scale. */
    static String svg(List<Map<String, Object>> runs) {
        int rowHeight = 22;
        int groupGap = 12;
        int top = 56;
        int labelWidth = 400;
        int barWidth = 330;
        int gap = 70;
        int latencyWidth = 360;
        int left = 10;
        double maxThroughput = runs.stream().mapToDouble(r -> number(r, "throughputPerSecond")).max().orElse(1);
        double maxThroughputAxis = niceCeiling(maxThroughput);
        long minLatency = Math.max(1, runs.stream().mapToLong(r -> Math.max(1, whole(r, "p50Micros"))).min().orElse(1));
        long maxLatency = Math.max(minLatency * 10, runs.stream().mapToLong(r -> whole(r, "p999Micros")).max().orElse(10));
        double logMin = Math.floor(Math.log10(minLatency));
        double logMax = Math.ceil(Math.log10(maxLatency));
        if (logMax <= logMin) {
            logMax = logMin + 1;
        }

        int groups = 0;
        String last = null;
        for (Map<String, Object> r : runs) {
            if (!group(r).equals(last)) {
                groups++;
                last = group(r);
            }
        }
        int height = top + runs.size() * rowHeight + groups * groupGap + 40;
        int width = left + labelWidth + barWidth + gap + latencyWidth + 40;
        int barX = left + labelWidth;
        int latX = barX + barWidth + gap;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">tools/call echo,"
                + " %s B: throughput and latency per transport and load</text>%n", left, runs.get(0).get("payloadBytes")));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">requests/s (0 to %,.0f)</text>%n", barX, top - 16,
                maxThroughputAxis));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">latency µs, log scale:"
                + " <tspan fill=\"#1f77b4\">● p50</tspan> <tspan fill=\"#ff7f0e\">● p99</tspan>"
                + " <tspan fill=\"#d62728\">● p99.9</tspan></text>%n", latX, top - 16));
        // Latency grid: one line per decade.
        int plotBottom = height - 40;
        for (double d = logMin; d <= logMax; d++) {
            double x = latX + (d - logMin) / (logMax - logMin) * latencyWidth;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, top - 6, x, plotBottom));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
                    x, plotBottom + 14, decade((int) d)));
        }
        for (int i = 0; i <= 4; i++) {
            double x = barX + i * barWidth / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x, top - 6, x, plotBottom));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
                    x, plotBottom + 14, compact(maxThroughputAxis * i / 4)));
        }

        int y = top;
        last = null;
        for (Map<String, Object> r : runs) {
            if (!group(r).equals(last)) {
                if (last != null) {
                    y += groupGap;
                }
                last = group(r);
            }
            String server = String.valueOf(r.get("target"));
            String color = "raw".equals(server) ? "#999999" : "peregrine".equals(server) ? "#2a7ab9" : "#e08a2b";
            double throughput = number(r, "throughputPerSecond");
            double w = throughput / maxThroughputAxis * barWidth;
            int mid = y + rowHeight / 2;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left, mid + 4,
                    escape(transportLabel(r.get("transport")) + " " + r.get("era") + ", " + shortLoad(r) + " — "
                            + shortLabel(server))));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    barX, y + 3, Math.max(w, 0.5), rowHeight - 6, color));
            boolean inside = w > barWidth - 70; // the figure goes inside a long bar, in white
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\"%s>%,.0f</text>%n",
                    inside ? barX + w - 4 : barX + w + 4, mid + 4, inside ? "white" : "#222",
                    inside ? " text-anchor=\"end\"" : "", throughput));
            double x50 = logX(whole(r, "p50Micros"), logMin, logMax, latX, latencyWidth);
            double x999 = logX(whole(r, "p999Micros"), logMin, logMax, latX, latencyWidth);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>%n",
                    x50, mid, x999, mid));
            s.append(dot(x50, mid, "#1f77b4"));
            s.append(dot(logX(whole(r, "p99Micros"), logMin, logMax, latX, latencyWidth), mid, "#ff7f0e"));
            s.append(dot(x999, mid, "#d62728"));
            y += rowHeight;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String dot(double x, int y, String color) {
        return String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\"/>%n", x, y, color);
    }

    private static double logX(long micros, double logMin, double logMax, int x0, int width) {
        double v = Math.log10(Math.max(1, micros));
        return x0 + Math.max(0, Math.min(1, (v - logMin) / (logMax - logMin))) * width;
    }

    private static String decade(int d) {
        long v = (long) Math.pow(10, d);
        return v >= 1_000_000 ? v / 1_000_000 + " s" : v >= 1_000 ? v / 1_000 + " ms" : v + " µs";
    }

    private static String compact(double v) {
        return v >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", v / 1e6)
                : v >= 1_000 ? String.format(Locale.ROOT, "%.0fk", v / 1e3) : String.format(Locale.ROOT, "%.0f", v);
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1))));
        for (double m : new double[] {1, 2, 2.5, 4, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String group(Map<String, Object> run) {
        return run.get("transport") + " " + run.get("era") + " " + load(run);
    }

    /** {@code 16 × 16} (connections × depth) or {@code 16 @ 50,000/s} (open loop). */
    static String load(Map<String, Object> run) {
        return "open".equals(run.get("loop"))
                ? String.format(Locale.ROOT, "%d conn., open loop %,.0f/s", whole(run, "connections"), number(run, "rate"))
                : String.format(Locale.ROOT, "%d conn. × depth %d", whole(run, "connections"), whole(run, "depth"));
    }

    /** {@code 16 × 16} (connections × depth) or {@code 16 conn. @ 50,000/s}. */
    private static String shortLoad(Map<String, Object> run) {
        return "open".equals(run.get("loop"))
                ? String.format(Locale.ROOT, "%d conn. @ %,.0f/s", whole(run, "connections"), number(run, "rate"))
                : String.format(Locale.ROOT, "%d conn. × %d", whole(run, "connections"), whole(run, "depth"));
    }

    private static String shortLabel(String target) {
        return "raw".equals(target) ? "raw Netty" : "sdk".equals(target) ? "Java SDK" : label(target);
    }

    private static String transportLabel(Object t) {
        return "ws".equals(t) ? "WebSocket" : "http".equals(t) ? "Streamable HTTP" : "TCP";
    }

    private static String label(Object target) {
        if ("raw".equals(target)) {
            return "raw Netty reference";
        }
        if ("sdk".equals(target)) {
            return "MCP Java SDK 2.1.0 (Tomcat)";
        }
        return "peregrine".equals(target) ? "Peregrine" : String.valueOf(target);
    }

    private static int order(List<String> order, Object value) {
        int i = order.indexOf(String.valueOf(value));
        return i < 0 ? order.size() : i;
    }

    private static double number(Map<String, Object> run, String key) {
        Object v = run.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(key + " : " + v + " (expected: a number)");
        }
        return ((Number) v).doubleValue();
    }

    private static long whole(Map<String, Object> run, String key) {
        return Math.round(number(run, key));
    }

    private static String plain(Object v) {
        return v instanceof Number && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())
                ? String.valueOf(((Number) v).longValue()) : String.valueOf(v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package io.peregrine.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A soak run's report: the Markdown table of its samples and verdict, its SVG chart, its JSON. */
final class SoakReport {

    private static final double MIB = 1024 * 1024;

    private final String command;
    private final String load;
    private final List<SoakSample> samples;
    private final SoakVerdict verdict;
    private final long started;
    private final long ok;
    private final Map<String, Long> expectedErrors;
    private final long unexpected;
    private final long lost;
    private final double p99First;
    private final double p99Last;
    private final double typicalFirst;
    private final double typicalLast;
    private final Map<String, Map<String, Long>> byKind;
    private final List<String> firstFailures;

    SoakReport(String command, String load, List<SoakSample> samples, SoakVerdict verdict, long started, long ok,
               Map<String, Long> expectedErrors, long unexpected, long lost, double p99First, double p99Last,
               double typicalFirst, double typicalLast, Map<String, Map<String, Long>> byKind, List<String> firstFailures) {
        this.typicalFirst = typicalFirst;
        this.typicalLast = typicalLast;
        this.command = command;
        this.load = load;
        this.samples = samples;
        this.verdict = verdict;
        this.started = started;
        this.ok = ok;
        this.expectedErrors = expectedErrors;
        this.unexpected = unexpected;
        this.lost = lost;
        this.p99First = p99First;
        this.p99Last = p99Last;
        this.byKind = byKind;
        this.firstFailures = firstFailures;
    }

    /** A sample on one line, for the progress of the run. */
    static String line(SoakSample s) {
        return String.format(Locale.ROOT, "%5.0f s  heap %6.1f MiB  rss %6.1f MiB  fds %4d  threads %3d  pooled direct"
                        + " %5.1f MiB  served %6d (%d deliberate errors)  errors %d  p50 %.2f ms  p99 %.2f ms", s.seconds(),
                s.heapBytes() / MIB, s.rssBytes() / MIB, s.fds(), s.threads(), s.pooledDirectBytes() / MIB, s.served(),
                s.expectedErrors(), s.errors(), s.p50Micros() / 1e3, s.p99Micros() / 1e3)
                + String.format(Locale.ROOT, "  cpu %.0f%%  load %.2f", s.serverCpuPercent(), s.loadAverage());
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        long deliberate = expectedErrors.values().stream().mapToLong(Long::longValue).sum();
        b.append("`").append(command).append("`: ").append(load).append(", Peregrine (demo tools) in a JVM of its own.\n\n");
        b.append(verdict.passed() ? "**Verdict: passed.**\n" : "**Verdict: FAILED.**\n");
        for (String f : verdict.failures()) {
            b.append("- ").append(f).append('\n');
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "Operations: %,d started; %,d answered as expected (%,d results, %,d deliberate"
                + " errors); %,d unexpected errors; %,d lost. Deliberate errors: %s.%n%n", started, ok + deliberate, ok,
                deliberate, unexpected, lost, expectedErrors.isEmpty() ? "none"
                        : String.join(", ", expectedErrors.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue())).toList())));
        b.append(String.format(Locale.ROOT, "Latency of the calls (echo on every transport and era, the rate-limited"
                        + " principal's fs.stat), from when each was due: p99 %.2f ms in the first quarter, %.2f ms in the"
                        + " last (every call of the quarter); the median of the quarter's windows' p99, which the drift"
                        + " check compares, %.2f ms and %.2f ms.%s%n%n", p99First / 1e3, p99Last / 1e3, typicalFirst / 1e3,
                typicalLast / 1e3, loads()));
        b.append("| trend over the second half | rise | per minute | allowed rise | leak |\n|---|---:|---:|---:|---|\n");
        for (SoakVerdict.Trend t : verdict.trends()) {
            if (t.points() < SoakVerdict.MIN_POINTS) {
                b.append("| ").append(t.metric().label).append(" | too few samples | | | |\n");
                continue;
            }
            b.append("| ").append(t.metric().label).append(" | ").append(signed(t.metric(), t.rise())).append(" | ")
                    .append(signed(t.metric(), t.slope() * 60)).append(" | ").append(t.metric().format(t.allowed()))
                    .append(" | ").append(t.leaks() ? "**yes**" : "no").append(" |\n");
        }
        b.append("\n| t (s) | heap after GC (MiB) | RSS (MiB) | fds | threads | pooled direct (MiB) | served | deliberate"
                + " errors | errors | p50 (ms) | p99 (ms) | server CPU (% of a core) | load average |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SoakSample s : samples) {
            b.append(String.format(Locale.ROOT, "| %.0f | %.1f | %.1f | %d | %d | %.1f | %d | %d | %d | %.2f | %.2f | %s | %s |%n",
                    s.seconds(), s.heapBytes() / MIB, s.rssBytes() / MIB, s.fds(), s.threads(), s.pooledDirectBytes() / MIB,
                    s.served(), s.expectedErrors(), s.errors(), s.p50Micros() / 1e3, s.p99Micros() / 1e3,
                    s.serverCpuPercent() < 0 ? "" : String.format(Locale.ROOT, "%.0f", s.serverCpuPercent()),
                    s.loadAverage() < 0 ? "" : String.format(Locale.ROOT, "%.2f", s.loadAverage())));
        }
        b.append("\n| operation | as expected | deliberate error | unexpected error | lost |\n|---|---:|---:|---:|---:|\n");
        byKind.forEach((kind, o) -> b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d |%n", kind,
                o.get("ok"), o.get("expected_error"), o.get("unexpected_error"), o.get("lost"))));
        if (!firstFailures.isEmpty()) {
            b.append("\nFirst failures:\n\n");
            firstFailures.forEach(f -> b.append("- `").append(f.replace('`', '\'')).append("`\n"));
        }
        return b.toString();
    }

    /** The machine's load and the server's CPU in the first and last quarters: was a drift the machine's? */
    private String loads() {
        double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
        double[] first = averages(0, end / 4);
        double[] last = averages(end * 3 / 4, end);
        if (first[0] < 0 || last[0] < 0) {
            return "";
        }
        return String.format(Locale.ROOT, " The machine's load average went from %.1f (first quarter) to %.1f (last"
                + " quarter); the server's CPU per 1,000 operations from %.0f ms to %.0f ms.", first[0], last[0],
                first[1], last[1]);
    }

    /** {load average, server CPU ms per 1,000 operations served} of the samples in (from, to]. */
    private double[] averages(double from, double to) {
        double load = 0;
        double cpuMs = 0;
        long served = 0;
        int n = 0;
        double window = samples.size() > 1 ? samples.get(1).seconds() - samples.get(0).seconds() : 1;
        for (SoakSample s : samples) {
            if (s.seconds() > from && s.seconds() <= to + 1e-6 && s.loadAverage() >= 0 && s.serverCpuPercent() >= 0) {
                load += s.loadAverage();
                cpuMs += s.serverCpuPercent() / 100 * window * 1000;
                served += s.served();
                n++;
            }
        }
        return n == 0 || served == 0 ? new double[] {-1, -1} : new double[] {load / n, cpuMs / served * 1000};
    }

    private static String signed(SoakVerdict.Metric m, double v) {
        return (v >= 0 ? "+" : "−") + m.format(Math.abs(v));
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("load", load);
        m.put("passed", verdict.passed());
        m.put("failures", verdict.failures());
        m.put("started", started);
        m.put("ok", ok);
        m.put("expectedErrors", expectedErrors);
        m.put("unexpectedErrors", unexpected);
        m.put("lost", lost);
        m.put("p99FirstQuarterMicros", p99First);
        m.put("p99LastQuarterMicros", p99Last);
        m.put("medianWindowP99FirstQuarterMicros", typicalFirst);
        m.put("medianWindowP99LastQuarterMicros", typicalLast);
        List<Object> trends = new ArrayList<>();
        for (SoakVerdict.Trend t : verdict.trends()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("metric", t.metric().name().toLowerCase(Locale.ROOT));
            tm.put("points", t.points());
            tm.put("slopePerSecond", t.slope());
            tm.put("rise", t.rise());
            tm.put("allowed", t.allowed());
            tm.put("leak", t.leaks());
            trends.add(tm);
        }
        m.put("trends", trends);
        List<Object> list = new ArrayList<>();
        for (SoakSample s : samples) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("seconds", s.seconds());
            sm.put("heapBytes", s.heapBytes());
            sm.put("rssBytes", s.rssBytes());
            sm.put("fds", s.fds());
            sm.put("threads", s.threads());
            sm.put("pooledDirectBytes", s.pooledDirectBytes());
            sm.put("served", s.served());
            sm.put("expectedErrors", s.expectedErrors());
            sm.put("errors", s.errors());
            sm.put("p50Micros", s.p50Micros());
            sm.put("p99Micros", s.p99Micros());
            sm.put("serverCpuPercent", s.serverCpuPercent());
            sm.put("loadAverage", s.loadAverage());
            list.add(sm);
        }
        m.put("samples", list);
        m.put("byKind", byKind);
        m.put("firstFailures", firstFailures);
        return m;
    }

    /** Panels over time: heap and pooled direct memory, RSS, descriptors and threads, latency, CPU and load. */
    String svg() {
        int width = 760;
        int panel = 150;
        int left = 70;
        int right = 130;
        List<Panel> panels = List.of(
                new Panel("heap after GC, Netty pooled direct (MiB)", List.of(
                        new Series("heap", "#1f77b4", s -> s.heapBytes() / MIB),
                        new Series("pooled direct", "#9467bd", s -> s.pooledDirectBytes() / MIB))),
                new Panel("resident set (MiB)", List.of(new Series("RSS", "#d62728", s -> s.rssBytes() / MIB))),
                new Panel("open file descriptors, threads", List.of(
                        new Series("fds", "#2ca02c", s -> s.fds()),
                        new Series("threads", "#ff7f0e", s -> s.threads()))),
                new Panel("latency of the window (ms)", List.of(
                        new Series("p50", "#17becf", s -> s.p50Micros() / 1e3),
                        new Series("p99", "#8c564b", s -> s.p99Micros() / 1e3))),
                new Panel("server CPU (% of one core), the machine's load average × 100", List.of(
                        new Series("server CPU", "#7f7f7f", s -> s.serverCpuPercent()),
                        new Series("load × 100", "#bcbd22", s -> s.loadAverage() * 100))));
        int height = 40 + panels.size() * (panel + 30) + 20;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        b.append("<text x=\"10\" y=\"20\" font-size=\"13\">").append(escape(command)).append(verdict.passed()
                ? ": passed" : ": FAILED").append("</text>\n");
        double tMax = samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).seconds());
        int plotWidth = width - left - right;
        int top = 40;
        for (Panel p : panels) {
            double max = 0;
            for (Series s : p.series) {
                for (SoakSample x : samples) {
                    max = Math.max(max, s.value.applyAsDouble(x));
                }
            }
            max = max <= 0 ? 1 : niceCeiling(max * 1.1);
            int y0 = top + 16;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", left, top + 10,
                    escape(p.title)));
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                    + "stroke=\"#999\"/>%n", left, y0, plotWidth, panel));
            for (int g = 0; g <= 4; g++) {
                double v = max * g / 4;
                double y = y0 + panel - panel * (double) g / 4;
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left, y, left + plotWidth, y,
                        left - 4, y + 4, compact(v)));
            }
            for (int i = 0; i < p.series.size(); i++) {
                Series s = p.series.get(i);
                StringBuilder points = new StringBuilder();
                for (SoakSample x : samples) {
                    double px = left + plotWidth * x.seconds() / tMax;
                    double py = y0 + panel - panel * Math.max(0, s.value.applyAsDouble(x)) / max;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                }
                b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                        + "points=\"%s\"/>%n", s.color, points.toString().trim()));
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                                + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n", left + plotWidth + 10,
                        y0 + 10 + i * 16, left + plotWidth + 28, y0 + 10 + i * 16, s.color, left + plotWidth + 32,
                        y0 + 14 + i * 16, escape(s.name)));
            }
            for (int g = 0; g <= 4; g++) {
                double t = tMax * g / 4;
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
                        left + plotWidth * (double) g / 4, y0 + panel + 13, compact(t)));
            }
            top += panel + 30;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private record Series(String name, String color, ToDoubleFunction<SoakSample> value) {
    }

    private record Panel(String title, List<Series> series) {
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String compact(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package io.peregrine.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Whether a soak run passed: no leak, no lost answer, no unexpected error, no latency drift.
 *
 * <p>A leak is a rising trend: for each of heap after GC, resident set, file descriptors, threads
 * and Netty's pooled direct memory, a least-squares line is fitted to the samples of the second
 * half of the run (the first half is warm-up: classes load, the JIT compiles, pools and caches
 * fill) and its rise over that half (slope × time spanned) is compared with what is allowed: a
 * fraction ({@link Tolerances#relative}) of the metric's mean level in that half, but never less
 * than an absolute floor per metric. The floors are what keeps a short run on a loaded machine
 * from failing on noise (a collection that happened to leave a little more, a thread pool growing
 * by one); being absolute, they allow a smaller slope the longer the run is, so a long run catches
 * a slower leak. A line needs {@value #MIN_POINTS} samples at least; with fewer there is no trend.
 *
 * <p>A latency drift is a p99 of the last quarter of the run more than {@link Tolerances#p99Factor}
 * times the first quarter's and more than {@link Tolerances#p99FloorMicros} above it. The soak
 * passes each quarter's typical p99, the median of its windows' p99s, so that a window or two
 * slowed by the machine (on a shared machine, another process's burst) does not read as a drift,
 * while a server that slows down for good moves every window and so the median.
 */
final class SoakVerdict {

    static final int MIN_POINTS = 4;
    private static final long MIB = 1024 * 1024;

    /** The trend checks' limits. */
    static final class Tolerances {
        /** The rise allowed over the second half, as a fraction of the level. */
        final double relative;
        /** The p99 of the last quarter may be at most this many times the first quarter's... */
        final double p99Factor;
        /** ...unless it is at most this much above it. */
        final double p99FloorMicros;

        Tolerances(double relative, double p99Factor, double p99FloorMicros) {
            if (!(relative >= 0) || !(p99Factor >= 1) || !(p99FloorMicros >= 0)) {
                throw new IllegalArgumentException("tolerance, p99 factor, p99 floor : " + relative + ", " + p99Factor
                        + ", " + p99FloorMicros + " (expected: >= 0, >= 1, >= 0)");
            }
            this.relative = relative;
            this.p99Factor = p99Factor;
            this.p99FloorMicros = p99FloorMicros;
        }

        static Tolerances defaults() {
            return new Tolerances(0.10, 3.0, 50_000);
        }
    }

    /** A metric the leak check fits a line to, with its absolute floor. */
    enum Metric {
        HEAP("heap after GC", 16 * MIB, true, SoakSample::heapBytes),
        RSS("RSS", 48 * MIB, true, SoakSample::rssBytes),
        FDS("file descriptors", 16, false, SoakSample::fds),
        THREADS("threads", 8, false, SoakSample::threads),
        POOLED_DIRECT("Netty pooled direct memory", 16 * MIB, true, SoakSample::pooledDirectBytes);

        final String label;
        final double floor;
        final boolean bytes;
        final ToDoubleFunction<SoakSample> value;

        Metric(String label, double floor, boolean bytes, ToDoubleFunction<SoakSample> value) {
            this.label = label;
            this.floor = floor;
            this.bytes = bytes;
            this.value = value;
        }

        String format(double v) {
            return bytes ? String.format(Locale.ROOT, "%.1f MiB", v / MIB) : String.format(Locale.ROOT, "%.1f", v);
        }
    }

    /**
     * One metric's line over the second half.
     *
     * @param points  samples fitted (0 when too few: no verdict)
     * @param slope   per second
     * @param rise    slope × the seconds the fitted samples span
     * @param allowed the rise allowed
     */
    record Trend(Metric metric, int points, double slope, double rise, double allowed) {
        boolean leaks() {
            return points >= MIN_POINTS && rise > allowed;
        }

        String describe() {
            if (points < MIN_POINTS) {
                return metric.label + ": too few samples in the second half (" + points + ") for a trend";
            }
            return String.format(Locale.ROOT, "%s: %s over the second half (%s/min), allowed %s", metric.label,
                    signed(metric, rise), signed(metric, slope * 60), metric.format(allowed));
        }

        private static String signed(Metric m, double v) {
            return (v >= 0 ? "+" : "-") + m.format(Math.abs(v));
        }
    }

    private final List<Trend> trends;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param samples     the run's samples, in time order (a metric below 0 was not measured and is not checked)
     * @param lost        operations without exactly one answer
     * @param unexpected  operations that got an error they should not have
     * @param p99First    the typical p99 of the first quarter, µs
     * @param p99Last     the typical p99 of the last quarter, µs
     * @param nettyLeaks  buffer leaks Netty's leak detector reported in the server's log
     */
    SoakVerdict(List<SoakSample> samples, Tolerances tolerances, long lost, long unexpected, double p99First,
                double p99Last, long nettyLeaks) {
        this.trends = trends(samples, tolerances);
        for (Trend t : trends) {
            if (t.leaks()) {
                failures.add("leak: " + t.describe());
            }
        }
        if (lost > 0) {
            failures.add("lost answers: " + lost + " operations without exactly one answer");
        }
        if (unexpected > 0) {
            failures.add("unexpected errors: " + unexpected);
        }
        if (p99Last > p99First * tolerances.p99Factor && p99Last - p99First > tolerances.p99FloorMicros) {
            failures.add(String.format(Locale.ROOT, "latency drift: p99 %.1f ms in the last quarter against %.1f ms in"
                            + " the first (allowed: %.1f times, or %.0f ms more)", p99Last / 1e3, p99First / 1e3,
                    tolerances.p99Factor, tolerances.p99FloorMicros / 1e3));
        }
        if (nettyLeaks > 0) {
            failures.add("Netty reported " + nettyLeaks + " leaked buffers in the server's log");
        }
    }

    static List<Trend> trends(List<SoakSample> samples, Tolerances tolerances) {
        List<Trend> out = new ArrayList<>();
        double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
        List<SoakSample> half = samples.stream().filter(s -> s.seconds() >= end / 2).toList();
        for (Metric m : Metric.values()) {
            List<SoakSample> measured = half.stream().filter(s -> m.value.applyAsDouble(s) >= 0).toList();
            double[] x = measured.stream().mapToDouble(SoakSample::seconds).toArray();
            double[] y = measured.stream().mapToDouble(m.value).toArray();
            if (x.length < MIN_POINTS) {
                out.add(new Trend(m, x.length, 0, 0, m.floor));
                continue;
            }
            double slope = slope(x, y);
            double mean = java.util.Arrays.stream(y).average().orElse(0);
            double allowed = Math.max(m.floor, tolerances.relative * mean);
            out.add(new Trend(m, x.length, slope, slope * (x[x.length - 1] - x[0]), allowed));
        }
        return out;
    }

    /** The least-squares slope of y over x. */
    static double slope(double[] x, double[] y) {
        double mx = java.util.Arrays.stream(x).average().orElse(0);
        double my = java.util.Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    List<Trend> trends() {
        return trends;
    }

    List<String> failures() {
        return failures;
    }

    boolean passed() {
        return failures.isEmpty();
    }
}

package io.peregrine.ops.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed buckets (a Prometheus "classic" histogram) whose observations allocate
 * nothing: each data point is an array of {@link LongAdder}s and a {@link DoubleAdder}, and an
 * observation finds its bucket and adds one.
 *
 * <p>Why not the client's {@code Histogram}: in client 1.10 every {@code observe} also runs the
 * native-histogram bookkeeping ({@code maybeResetOrScaleDown}), which allocates an
 * {@code AtomicBoolean} per call unless the JIT's escape analysis removes it, and whether it does
 * depends on inlining decisions in the server's own call paths. Here the data points are the
 * client's model ({@link HistogramSnapshot}), so the exposition formats treat this histogram as
 * any other.
 *
 * <p>{@code _count} is the sum of the buckets read at scrape time, so that a scrape is always
 * consistent with its own buckets; {@code _sum} is read beside them and may lag them by the
 * observations that race with the scrape.
 */
final class ClassicHistogram implements Collector {

    private final MetricMetadata metadata;
    private final String[] labelNames;
    private final double[] upperBounds;
    /** In the order they were created, for a stable exposition. */
    private final List<Point> points = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Labels, Point> byLabels = new ConcurrentHashMap<>();

    /** {@code buckets}: the finite upper bounds, ascending; {@code +Inf} is added. */
    ClassicHistogram(String name, String help, Unit unit, double[] buckets, String... labelNames) {
        this.metadata = new MetricMetadata(name, help, unit);
        this.labelNames = labelNames.clone();
        this.upperBounds = Arrays.copyOf(buckets, buckets.length + 1);
        this.upperBounds[buckets.length] = Double.POSITIVE_INFINITY;
        for (int i = 1; i < buckets.length; i++) {
            if (!(buckets[i] > buckets[i - 1])) {
                throw new IllegalArgumentException("buckets : " + Arrays.toString(buckets) + " (expected: ascending)");
            }
        }
    }

    /**
     * The data point of these label values, in the order of the label names: the existing one when
     * this label set was asked for before, so that callers racing to resolve the same label set
     * share one point and an exposition never holds the same series twice. Callers hold the point
     * and resolve each label set once, so this is off the recording path.
     */
    Point point(String... labelValues) {
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException("labelValues : " + labelValues.length + " (expected: " + labelNames.length + ")");
        }
        return byLabels.computeIfAbsent(Labels.of(labelNames, labelValues), labels -> {
            Point p = new Point(labels);
            points.add(p);
            return p;
        });
    }

    @Override
    public MetricSnapshot collect() {
        List<HistogramDataPointSnapshot> snapshots = new ArrayList<>(points.size());
        for (Point p : points) {
            snapshots.add(p.snapshot());
        }
        return new HistogramSnapshot(metadata, snapshots);
    }

    @Override
    public String getPrometheusName() {
        return metadata.getPrometheusName();
    }

    /** One label set's buckets. */
    final class Point {
        private final Labels labels;
        private final LongAdder[] counts = new LongAdder[upperBounds.length];
        private final DoubleAdder sum = new DoubleAdder();
        /** The latest exemplar of each bucket, or null. */
        private final AtomicReferenceArray<Exemplar> exemplars = new AtomicReferenceArray<>(upperBounds.length);
        private final long created = System.currentTimeMillis();

        private Point(Labels labels) {
            this.labels = labels;
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double value) {
            counts[bucket(value)].increment();
            sum.add(value);
        }

        /** Observes {@code value} and keeps it as its bucket's exemplar, pointing at a trace. */
        void observe(double value, String traceId, String spanId) {
            int bucket = bucket(value);
            counts[bucket].increment();
            sum.add(value);
            exemplars.set(bucket, Exemplar.builder()
                    .value(value)
                    .traceId(traceId)
                    .spanId(spanId)
                    .timestampMillis(System.currentTimeMillis())
                    .build());
        }

        private int bucket(double value) {
            // A linear scan: the buckets are few, and most requests land in the first ones.
            int last = upperBounds.length - 1;
            for (int i = 0; i < last; i++) {
                if (value <= upperBounds[i]) {
                    return i;
                }
            }
            return last;
        }

        long count() {
            long n = 0;
            for (LongAdder c : counts) {
                n += c.sum();
            }
            return n;
        }

        HistogramDataPointSnapshot snapshot() {
            long[] values = new long[counts.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = counts[i].sum();
            }
            List<Exemplar> kept = new ArrayList<>(0);
            for (int i = 0; i < exemplars.length(); i++) {
                Exemplar e = exemplars.get(i);
                if (e != null) {
                    kept.add(e);
                }
            }
            return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upperBounds, values), sum.sum(), labels,
                    kept.isEmpty() ? Exemplars.EMPTY : Exemplars.of(kept), created);
        }
    }
}

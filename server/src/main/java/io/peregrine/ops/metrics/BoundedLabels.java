package io.peregrine.ops.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The data points of a counter labelled by a name the caller chooses (a limiter's scope, a cache's
 * name) and an outcome that is one of two: resolved once per name, and bounded, so that a caller
 * that invents names cannot grow the series without end. Past {@link #MAX_NAMES} names, new ones
 * count as {@code _OTHER}.
 */
final class BoundedLabels {

    static final int MAX_NAMES = 16;

    private final Counter counter;
    private final String yes;
    private final String no;
    private final ConcurrentHashMap<String, CounterDataPoint[]> points = new ConcurrentHashMap<>();
    private final CounterDataPoint[] other;

    BoundedLabels(Counter counter, String yes, String no) {
        this.counter = counter;
        this.yes = yes;
        this.no = no;
        this.other = resolve(MetricsObserver.OTHER);
    }

    /** Declares {@code name} up front, so that its series show zero before the first event. */
    void declare(String name) {
        points.computeIfAbsent(name, this::resolve);
    }

    void increment(String name, boolean outcome) {
        CounterDataPoint[] p = name == null ? other : points.get(name);
        if (p == null) {
            p = points.size() >= MAX_NAMES ? other : points.computeIfAbsent(name, this::resolve);
        }
        p[outcome ? 0 : 1].inc();
    }

    private CounterDataPoint[] resolve(String name) {
        return new CounterDataPoint[] {counter.labelValues(name, yes), counter.labelValues(name, no)};
    }
}

package io.peregrine.gateway;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * How many retries (and hedges) an upstream may take now: at most {@code percent} of the calls of
 * the last {@code window}, plus {@code minPerSecond} for every second of it, so that retries add a
 * bounded share of load and an upstream that fails every call is not stormed by them. Calls and
 * retries are counted in one-second buckets of a ring; the count is approximate at bucket edges
 * and under races, which is all a budget needs.
 */
final class RetryBudget {

    private final int percent;
    private final long minPerWindow;
    private final int seconds;
    private final LongSupplier nanos;
    /** Per bucket: the second it counts (epoch of nanos / 1e9), its calls and its retries. */
    private final AtomicLongArray second;
    private final AtomicLongArray calls;
    private final AtomicLongArray retries;

    RetryBudget(int percent, int minPerSecond, java.time.Duration window, LongSupplier nanos) {
        this.percent = percent;
        this.seconds = (int) Math.max(1, Math.min(3600, window.toSeconds()));
        this.minPerWindow = (long) minPerSecond * seconds;
        this.nanos = nanos;
        this.second = new AtomicLongArray(seconds);
        this.calls = new AtomicLongArray(seconds);
        this.retries = new AtomicLongArray(seconds);
        for (int i = 0; i < seconds; i++) {
            second.set(i, Long.MIN_VALUE);
        }
    }

    /** A call was made (its first attempt). */
    void call() {
        calls.incrementAndGet(bucket());
    }

    /** Takes one retry from the budget; false when it is spent. */
    boolean tryRetry() {
        int b = bucket();
        long now = nanos.getAsLong() / 1_000_000_000L;
        long c = 0;
        long r = 0;
        for (int i = 0; i < seconds; i++) {
            if (now - second.get(i) < seconds) {
                c += calls.get(i);
                r += retries.get(i);
            }
        }
        if (r >= c * percent / 100 + minPerWindow) {
            return false;
        }
        retries.incrementAndGet(b);
        return true;
    }

    private int bucket() {
        long now = nanos.getAsLong() / 1_000_000_000L;
        int i = (int) Math.floorMod(now, (long) seconds);
        long was = second.get(i);
        if (was != now && second.compareAndSet(i, was, now)) {
            calls.set(i, 0);
            retries.set(i, 0);
        }
        return i;
    }
}

package io.peregrine.gateway;

import java.util.Arrays;

/**
 * The latest answer times of an upstream, for the hedging delay: a ring of the last
 * {@value #SIZE} successful attempts and their 95th percentile, recomputed every
 * {@value #EVERY} samples (a sort of {@value #SIZE} longs) so that reading it costs nothing.
 */
final class Latencies {

    static final int SIZE = 256;
    static final int EVERY = 16;
    /** Samples needed before the percentile is trusted. */
    static final int MINIMUM = 20;

    private final long[] ring = new long[SIZE];
    /** Where the ring is sorted: recomputing allocates nothing. */
    private final long[] sorted = new long[SIZE];
    private int count;
    private volatile long p95 = -1;

    synchronized void record(long nanos) {
        ring[count % SIZE] = nanos;
        count++;
        if (count >= MINIMUM && count % EVERY == 0 || count == MINIMUM) {
            int n = Math.min(count, SIZE);
            System.arraycopy(ring, 0, sorted, 0, n);
            Arrays.sort(sorted, 0, n);
            p95 = sorted[(int) Math.min(n - 1, Math.ceil(n * 0.95) - 1)];
        }
    }

    /** The 95th percentile in nanoseconds, or -1 until {@value #MINIMUM} answers were seen. */
    long p95() {
        return p95;
    }
}

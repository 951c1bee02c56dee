package io.peregrine.loadtest;

import org.HdrHistogram.Histogram;

/**
 * What a run measured: completed requests and their latencies in the measured window, and the
 * errors that were not counted as completed.
 *
 * @param settings      what was run
 * @param seconds       how long the measured window was open
 * @param latencyMicros latencies of the completed requests, in microseconds: from the send in the
 *                      closed loop, from the intended send in the open loop
 * @param errors        responses that were not successes
 * @param filled        whether the window closed because {@code maxRequests} responses arrived,
 *                      rather than at the end of its duration
 */
public record LoadResult(LoadSettings settings, double seconds, Histogram latencyMicros, ErrorCounts errors,
                         boolean filled) {

    /** Successful responses in the window: each is recorded once in the histogram. */
    public long requests() {
        return latencyMicros.getTotalCount();
    }

    /** Successful responses per second. */
    public double throughput() {
        return seconds > 0 ? requests() / seconds : 0;
    }

    /** The latency at percentile {@code p} (0 to 100), in microseconds; 0 when nothing completed. */
    public long percentileMicros(double p) {
        return latencyMicros.getValueAtPercentile(p);
    }

    /** The slowest completed request, in microseconds. */
    public long maxMicros() {
        return latencyMicros.getMaxValue();
    }
}

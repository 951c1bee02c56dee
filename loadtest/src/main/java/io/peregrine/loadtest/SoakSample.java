package io.peregrine.loadtest;

/**
 * One sample of a soak run: the server's state at {@code seconds} into the run, and what the
 * workload saw in the window since the sample before.
 *
 * @param heapBytes         heap in use after full collections
 * @param rssBytes          resident set ({@code VmRSS} of {@code /proc/PID/status})
 * @param fds               open file descriptors ({@code /proc/PID/fd})
 * @param threads           threads ({@code Threads} of {@code /proc/PID/status})
 * @param pooledDirectBytes direct memory held by Netty's default pooled allocator
 * @param served            operations answered as expected in the window (a result, or a deliberate error)
 * @param expectedErrors    of those, the deliberate errors (malformed, oversized, rate-limited, cancelled)
 * @param errors            operations that failed in the window: an unexpected error or a lost answer
 * @param p50Micros         median latency of the window's calls, from when each was due
 * @param p99Micros         99th percentile of the same
 * @param serverCpuPercent  the server's CPU time in the window, in % of one core ({@code /proc/PID/stat}); -1 unknown
 * @param loadAverage       the machine's load average over a minute ({@code /proc/loadavg}): how shared it was; -1 unknown
 */
record SoakSample(double seconds, long heapBytes, long rssBytes, long fds, long threads, long pooledDirectBytes,
                  long served, long expectedErrors, long errors, double p50Micros, double p99Micros,
                  double serverCpuPercent, double loadAverage) {

    /** A sample without the CPU and load figures. */
    SoakSample(double seconds, long heapBytes, long rssBytes, long fds, long threads, long pooledDirectBytes,
               long served, long expectedErrors, long errors, double p50Micros, double p99Micros) {
        this(seconds, heapBytes, rssBytes, fds, threads, pooledDirectBytes, served, expectedErrors, errors, p50Micros,
                p99Micros, -1, -1);
    }
}

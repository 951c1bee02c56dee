package io.peregrine.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One token-bucket limit: {@code capacity} calls per {@code period}, refilled all at once at the
 * end of each period, so that a bucket of N lets exactly N calls through in a window. Written
 * in configuration as {@code N/period}: {@code 5/1m}, {@code 100/1s}, {@code 10000/1h}.
 */
public final class RateLimit {

    private static final Pattern TEXT = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(ms|s|m|h)\\s*");

    private final long capacity;
    private final Duration period;

    private RateLimit(long capacity, Duration period) {
        this.capacity = capacity;
        this.period = period;
    }

    /** {@code capacity} calls per {@code period}. */
    public static RateLimit of(long capacity, Duration period) {
        Objects.requireNonNull(period, "period");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity : " + capacity + " (expected: > 0)");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period : " + period + " (expected: > 0)");
        }
        if (capacity > period.toNanos()) {
            // Bucket4j refills at most one token per nanosecond; refuse here rather than on the first call.
            throw new IllegalArgumentException("rate limit : " + capacity + " per " + period
                    + " (expected: at most one per nanosecond)");
        }
        return new RateLimit(capacity, period);
    }

    /** Parses {@code N/period} ({@code 5/1m}, {@code 100/s}). */
    public static RateLimit parse(String text) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("rate limit : \"" + text + "\" (expected: N/period such as 5/1m, 100/1s, 1000/1h)");
        }
        long n = Long.parseLong(m.group(1));
        long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        Duration period;
        switch (m.group(3)) {
            case "ms": period = Duration.ofMillis(amount); break;
            case "s": period = Duration.ofSeconds(amount); break;
            case "m": period = Duration.ofMinutes(amount); break;
            default: period = Duration.ofHours(amount);
        }
        try {
            return of(n, period);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rate limit : \"" + text + "\" (expected: N > 0 calls per a period > 0)");
        }
    }

    public long capacity() {
        return capacity;
    }

    public Duration period() {
        return period;
    }

    @Override
    public String toString() {
        return capacity + "/" + period.toMillis() + "ms";
    }
}

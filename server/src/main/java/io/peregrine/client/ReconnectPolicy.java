package io.peregrine.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a client whose connection was lost tries again: exponential backoff from {@code initial}
 * up to {@code max}, each delay with up to a quarter of random jitter (so that many clients of a
 * restarted server do not return at the same instant), for at most {@code maxAttempts} attempts
 * in a row.
 *
 * @param initial     the delay before the first attempt
 * @param max         the longest delay
 * @param maxAttempts how many failed attempts in a row before giving up; {@link Integer#MAX_VALUE} for no end
 */
public record ReconnectPolicy(Duration initial, Duration max, int maxAttempts) {

    /** 100 ms doubling up to 10 s, without end. */
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(10),
            Integer.MAX_VALUE);

    public ReconnectPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial : " + initial + " (expected: >= 0)");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max : " + max + " (expected: >= initial " + initial + ")");
        }
        if (maxAttempts <= 0) {
            throw new IllegalArgumentException("maxAttempts : " + maxAttempts + " (expected: > 0)");
        }
    }

    /** The delay before attempt {@code attempt} (1 for the first), in milliseconds. */
    long delayMillis(int attempt) {
        long base = initial.toMillis();
        long cap = max.toMillis();
        long delay = base;
        for (int i = 1; i < attempt && delay < cap; i++) {
            delay = Math.min(cap, Math.max(1, delay * 2));
        }
        long jitter = delay / 4;
        return jitter > 0 ? delay - jitter + ThreadLocalRandom.current().nextLong(jitter + 1) : delay;
    }
}

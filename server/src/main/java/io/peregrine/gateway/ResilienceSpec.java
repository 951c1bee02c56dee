package io.peregrine.gateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How the calls forwarded to one upstream survive its failures: circuit breakers, retries and
 * their budget, hedging, and fallbacks per tool. Made with {@link #builder()}, or from the
 * {@code gateway.upstreams.<name>.circuit-breaker.*}, {@code retry.*}, {@code hedge.*} and
 * {@code fallback.*} keys; the defaults are the keys' (docs/gateway-resilience.md).
 */
public final class ResilienceSpec {

    /** Every default. */
    public static final ResilienceSpec DEFAULTS = builder().build();

    /**
     * What answers a tool's call instead of the upstream: a static result, or another upstream's tool.
     *
     * @param text     the text of the result, or null
     * @param isError  whether that result is an error result
     * @param upstream another upstream's name, or null
     * @param tool     that upstream's tool (its own name), or null for the same name
     */
    public record Fallback(String text, boolean isError, String upstream, String tool) {
        public Fallback {
            if ((text == null) == (upstream == null)) {
                throw new IllegalArgumentException("fallback : give a text or an upstream, exactly one of them");
            }
        }

        /** A text result ({@code isError} false). */
        public static Fallback text(String text) {
            return new Fallback(requireNonNull(text, "text"), false, null, null);
        }

        /** An error result with this text. */
        public static Fallback error(String text) {
            return new Fallback(requireNonNull(text, "text"), true, null, null);
        }

        /** The tool {@code tool} of the upstream {@code upstream} (null: the same tool name). */
        public static Fallback upstream(String upstream, String tool) {
            return new Fallback(null, false, requireNonNull(upstream, "upstream"), tool);
        }
    }

    private final boolean breakerEnabled;
    private final int breakerWindow;
    private final int breakerMinimumCalls;
    private final int breakerFailureRate;
    private final Duration breakerOpenFor;
    private final int breakerProbes;
    private final int maxAttempts;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final int budgetPercent;
    private final int budgetMinPerSecond;
    private final Duration budgetWindow;
    private final boolean hedge;
    private final Duration hedgeDelay;
    private final Map<String, Fallback> fallbacks;

    private ResilienceSpec(Builder b) {
        this.breakerEnabled = b.breakerEnabled;
        this.breakerWindow = b.breakerWindow;
        this.breakerMinimumCalls = b.breakerMinimumCalls;
        this.breakerFailureRate = b.breakerFailureRate;
        this.breakerOpenFor = b.breakerOpenFor;
        this.breakerProbes = b.breakerProbes;
        this.maxAttempts = b.maxAttempts;
        this.backoff = b.backoff;
        this.maxBackoff = b.maxBackoff;
        this.budgetPercent = b.budgetPercent;
        this.budgetMinPerSecond = b.budgetMinPerSecond;
        this.budgetWindow = b.budgetWindow;
        this.hedge = b.hedge;
        this.hedgeDelay = b.hedgeDelay;
        this.fallbacks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.fallbacks));
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean breakerEnabled() {
        return breakerEnabled;
    }

    public int breakerWindow() {
        return breakerWindow;
    }

    public int breakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    /** Percent. */
    public int breakerFailureRate() {
        return breakerFailureRate;
    }

    public Duration breakerOpenFor() {
        return breakerOpenFor;
    }

    public int breakerProbes() {
        return breakerProbes;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration backoff() {
        return backoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public int budgetPercent() {
        return budgetPercent;
    }

    public int budgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    public Duration budgetWindow() {
        return budgetWindow;
    }

    public boolean hedge() {
        return hedge;
    }

    /** Zero: the observed 95th percentile. */
    public Duration hedgeDelay() {
        return hedgeDelay;
    }

    /** Fallbacks by the upstream's own tool name. */
    public Map<String, Fallback> fallbacks() {
        return fallbacks;
    }

    /** Builds a {@link ResilienceSpec}; every setter checks its value at once. */
    public static final class Builder {
        private boolean breakerEnabled = true;
        private int breakerWindow = 20;
        private int breakerMinimumCalls = 10;
        private int breakerFailureRate = 50;
        private Duration breakerOpenFor = Duration.ofSeconds(10);
        private int breakerProbes = 3;
        private int maxAttempts = 3;
        private Duration backoff = Duration.ofMillis(25);
        private Duration maxBackoff = Duration.ofSeconds(1);
        private int budgetPercent = 20;
        private int budgetMinPerSecond = 5;
        private Duration budgetWindow = Duration.ofSeconds(10);
        private boolean hedge;
        private Duration hedgeDelay = Duration.ZERO;
        private final Map<String, Fallback> fallbacks = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The circuit breakers: on or off, the window of latest calls judged, the calls seen before
         * one may open, the failure percentage that opens it, how long it stays open, and the probes
         * of half-open. Default on, 20, 10, 50 %, 10 s, 3.
         */
        public Builder circuitBreaker(boolean enabled, int window, int minimumCalls, int failureRatePercent,
                                      Duration openFor, int halfOpenCalls) {
            check(window >= 1, "window : " + window + " (expected: >= 1)");
            check(minimumCalls >= 1, "minimumCalls : " + minimumCalls + " (expected: >= 1)");
            check(failureRatePercent >= 1 && failureRatePercent <= 100,
                    "failureRate : " + failureRatePercent + " (expected: 1 to 100)");
            positive(openFor, "openFor");
            check(halfOpenCalls >= 1, "halfOpenCalls : " + halfOpenCalls + " (expected: >= 1)");
            this.breakerEnabled = enabled;
            this.breakerWindow = window;
            this.breakerMinimumCalls = minimumCalls;
            this.breakerFailureRate = failureRatePercent;
            this.breakerOpenFor = openFor;
            this.breakerProbes = halfOpenCalls;
            return this;
        }

        /** Attempts of a call at most, first backoff and longest. Default 3, 25 ms, 1 s. */
        public Builder retry(int maxAttempts, Duration backoff, Duration maxBackoff) {
            check(maxAttempts >= 1 && maxAttempts <= 10, "maxAttempts : " + maxAttempts + " (expected: 1 to 10)");
            positive(backoff, "backoff");
            positive(maxBackoff, "maxBackoff");
            check(maxBackoff.compareTo(backoff) >= 0, "maxBackoff : " + maxBackoff + " (expected: >= " + backoff + ")");
            this.maxAttempts = maxAttempts;
            this.backoff = backoff;
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Retries as a percentage of calls over {@code window}, plus {@code minPerSecond}. Default 20 %, 5, 10 s. */
        public Builder retryBudget(int percent, int minPerSecond, Duration window) {
            check(percent >= 0 && percent <= 100, "budgetPercent : " + percent + " (expected: 0 to 100)");
            check(minPerSecond >= 0, "budgetMinPerSecond : " + minPerSecond + " (expected: >= 0)");
            positive(window, "budgetWindow");
            this.budgetPercent = percent;
            this.budgetMinPerSecond = minPerSecond;
            this.budgetWindow = window;
            return this;
        }

        /** Hedging of idempotent calls after {@code delay} (zero: the observed p95). Default off. */
        public Builder hedge(boolean enabled, Duration delay) {
            requireNonNull(delay, "delay");
            check(!delay.isNegative(), "hedgeDelay : " + delay + " (expected: >= 0)");
            this.hedge = enabled;
            this.hedgeDelay = delay;
            return this;
        }

        /** What answers the upstream's tool {@code tool} (its own name) when it cannot. */
        public Builder fallback(String tool, Fallback fallback) {
            fallbacks.put(requireNonNull(tool, "tool"), requireNonNull(fallback, "fallback"));
            return this;
        }

        public ResilienceSpec build() {
            return new ResilienceSpec(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        private static void positive(Duration d, String what) {
            requireNonNull(d, what);
            check(!d.isZero() && !d.isNegative(), what + " : " + d + " (expected: > 0)");
        }
    }
}

package io.peregrine.policy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Token buckets kept outside this process (Redis), so that several replicas share one budget per
 * limit. A {@link RateLimiter} built with one consults it for the global, per-tool, per-principal
 * and per-principal-and-tool limits; connection limits stay local, a connection living on one
 * replica only.
 *
 * <p>Every method returns at once: the work happens on the store client's own threads, never on
 * the caller's.
 */
public interface SharedLimits {

    /** What a {@link RateLimiter} does when the store fails or does not answer in time. */
    enum FailureMode {
        /** Decide with this replica's own buckets, as if there were no other replica. */
        FAIL_OPEN,
        /** Refuse the call (a rate-limit refusal naming the store), admitting nothing unshared. */
        FAIL_CLOSED
    }

    /**
     * Takes one token from the shared bucket {@code key} of {@code limit}.
     *
     * @return a future of 0 when the token was taken, else of the nanoseconds until the bucket
     *         refills; completed exceptionally when the store failed
     */
    CompletableFuture<Long> tryConsume(String key, RateLimit limit);

    /** Gives back a token taken by a call another bucket then refused; best effort. */
    void refund(String key, RateLimit limit);

    /**
     * Whether a decision should ask the store now. During an outage the store is asked once per
     * {@link #timeout()} (a probe), and every other decision goes straight to the
     * {@link #failureMode()} without waiting: once an outage is known, it costs calls no time.
     */
    default boolean available() {
        return true;
    }

    /** The longest a decision waits on the store before the {@link #failureMode()} applies. */
    Duration timeout();

    FailureMode failureMode();

    /**
     * A decision fell back on the failure mode because of {@code failure}, or without asking the
     * store during a known outage ({@code failure} null); counted, logged once per outage.
     */
    void failedOver(Throwable failure);

    /** A decision was made by the store again: an outage, if there was one, is over. */
    void answered();
}

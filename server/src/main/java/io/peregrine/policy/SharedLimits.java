package io.peregrine.policy;

import java.time.Duration;
import java.util.List;
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

    /** A bucket a call takes a token from: its key in the store and its limit. */
    record Bucket(String key, RateLimit limit) {
        public Bucket {
            java.util.Objects.requireNonNull(key, "key");
            java.util.Objects.requireNonNull(limit, "limit");
        }
    }

    /**
     * What the store decided for one call: admitted ({@link #ADMITTED}), or refused by the bucket
     * at index {@code refused} of the buckets asked, which refills in {@code nanosToWait}.
     */
    record Verdict(int refused, long nanosToWait) {
        public static final Verdict ADMITTED = new Verdict(-1, 0);

        public boolean admitted() {
            return refused < 0;
        }
    }

    /**
     * Takes one token from each of {@code buckets}, all or none: when one bucket is empty, no
     * token is taken from any, so a refusal spends no budget and needs nothing given back. The
     * buckets are consulted in their order; a refusal names the first that is empty.
     *
     * @return a future of the verdict; completed exceptionally when the store failed
     */
    CompletableFuture<Verdict> tryConsume(List<Bucket> buckets);

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

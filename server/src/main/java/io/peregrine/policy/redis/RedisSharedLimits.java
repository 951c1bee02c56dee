package io.peregrine.policy.redis;

import io.peregrine.policy.RateLimit;
import io.peregrine.policy.SharedLimits;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Rate-limit buckets in Redis, decided by a Lua script of their own ({@link TokenBucketScript})
 * over the {@link RedisStore}'s Lettuce connection, asynchronous throughout.
 *
 * <p>In exact mode ({@code limits.shared-mode: exact}, the default) every call is decided by one
 * {@code EVALSHA} that decides all its buckets at once, all or none, timed by Redis's clock: at
 * most one round trip per call, whatever the number of limits, and no refund when one of them
 * refuses. Calls made while script calls are in flight are decided together by the next one, in
 * order, up to {@code limits.shared-batch} at a time, so that under load a round trip serves many
 * calls and each is still decided as if alone. In
 * lease mode ({@code lease}) replicas take tokens a lease at a time and spend them locally
 * ({@link Leases}): a round trip per lease on a hot bucket, the limit still never exceeded, at
 * the cost of tokens held by one replica while another refuses.
 */
public final class RedisSharedLimits implements SharedLimits {

    /** How decisions use Redis, per {@code limits.shared-mode}. */
    public enum Mode {
        /** Every decision is one script call. */
        EXACT,
        /** Tokens leased from Redis and spent locally. */
        LEASE
    }

    private final RedisStore store;
    private final FailureMode failureMode;
    private final TokenBucketScript script;
    /** Null in exact mode. */
    private final Leases leases;

    /** The default of {@code limits.shared-batch}. */
    public static final int DEFAULT_BATCH = 64;

    /** Exact mode, with the default batch. */
    public RedisSharedLimits(RedisStore store, FailureMode failureMode) {
        this(store, failureMode, DEFAULT_BATCH);
    }

    /** Exact mode: each decision one script call's part, {@code maxBatch} decisions at most in one. */
    public RedisSharedLimits(RedisStore store, FailureMode failureMode, int maxBatch) {
        this(store, failureMode, new TokenBucketScript(store, maxBatch), null);
    }

    private RedisSharedLimits(RedisStore store, FailureMode failureMode, TokenBucketScript script, Leases leases) {
        this.store = Objects.requireNonNull(store, "store");
        this.failureMode = Objects.requireNonNull(failureMode, "failureMode");
        this.script = script;
        this.leases = leases;
        warmUp();
    }

    /**
     * Lease mode: leases of {@code leaseTokens}, at most {@code leaseMaxSharePercent} percent of a
     * bucket's capacity, at least one token.
     */
    public static RedisSharedLimits leased(RedisStore store, FailureMode failureMode, long leaseTokens,
                                           int leaseMaxSharePercent) {
        return leased(store, failureMode, leaseTokens, leaseMaxSharePercent, DEFAULT_BATCH);
    }

    /** Lease mode, lease requests made together going in script calls of at most {@code maxBatch}. */
    public static RedisSharedLimits leased(RedisStore store, FailureMode failureMode, long leaseTokens,
                                           int leaseMaxSharePercent, int maxBatch) {
        TokenBucketScript script = new TokenBucketScript(store, maxBatch);
        return new RedisSharedLimits(store, failureMode, script, new Leases(script, leaseTokens, leaseMaxSharePercent));
    }

    /**
     * Loads the script and makes one decision at start-up, off the request path: the first one
     * loads and compiles the client's code, which on a cold process takes longer than a request
     * may wait.
     */
    private void warmUp() {
        long millis = Math.max(TimeUnit.SECONDS.toMillis(10), store.timeout().toMillis());
        script.load(millis);
        try {
            tryConsume(List.of(new Bucket("warm-up", RateLimit.of(1, Duration.ofSeconds(1)))))
                    .get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Redis is slow or gone at start: requests will find out, under the failure mode.
        }
    }

    /** Parses {@code limits.redis-failure}: {@code fail-open} or {@code fail-closed}. */
    public static FailureMode failureMode(String text) {
        switch (text.trim()) {
            case "fail-open": return FailureMode.FAIL_OPEN;
            case "fail-closed": return FailureMode.FAIL_CLOSED;
            default:
                throw new IllegalArgumentException("limits.redis-failure : \"" + text
                        + "\" (expected: fail-open or fail-closed)");
        }
    }

    /** Parses {@code limits.shared-mode}: {@code exact} or {@code lease}. */
    public static Mode mode(String text) {
        switch (text.trim()) {
            case "exact": return Mode.EXACT;
            case "lease": return Mode.LEASE;
            default:
                throw new IllegalArgumentException("limits.shared-mode : \"" + text + "\" (expected: exact or lease)");
        }
    }

    @Override
    public CompletableFuture<Verdict> tryConsume(List<Bucket> buckets) {
        if (leases != null) {
            return leases.tryConsume(buckets);
        }
        long[] one = new long[buckets.size()];
        Arrays.fill(one, 1);
        return script.take(buckets, one).thenApply(t -> t.admitted() ? Verdict.ADMITTED
                : new Verdict(t.refused(), Math.max(1, t.waitNanos())));
    }

    @Override
    public boolean available() {
        return store.available();
    }

    @Override
    public Duration timeout() {
        return store.timeout();
    }

    @Override
    public FailureMode failureMode() {
        return failureMode;
    }

    @Override
    public void failedOver(Throwable failure) {
        store.failed(failureMode == FailureMode.FAIL_OPEN ? "rate limits decided by each replica alone"
                : "rate-limited calls refused", failure);
    }

    @Override
    public void answered() {
        store.answered();
    }
}

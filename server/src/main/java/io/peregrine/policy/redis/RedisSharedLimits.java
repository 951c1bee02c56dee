package io.peregrine.policy.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.SharedLimits;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Rate-limit buckets in Redis: Bucket4j's compare-and-swap buckets over the {@link RedisStore}'s
 * Lettuce connection, asynchronous throughout, timed by the {@link RedisClock}. A bucket's key
 * expires once the bucket would be full again (and a second more), so that quiet principals cost
 * Redis nothing: a bucket that is gone is a full one.
 *
 * <p>Each decision is two round trips on one bucket (a {@code GET} of the state, then an
 * {@code EVAL} that swaps the new state in if nobody changed it meanwhile), the buckets of one
 * call asked in parallel. Calls on one key that arrive while its round trip is under way are
 * batched into the next one, exactly; without batching, 64 calls in flight on one key cost about
 * 45 {@code GET}s each in compare-and-swap retries (see docs/scaling.md).
 */
public final class RedisSharedLimits implements SharedLimits {

    private final RedisStore store;
    private final AsyncProxyManager<byte[]> buckets;
    private final FailureMode failureMode;
    /** Bucket proxies hold no state of their own; kept to save rebuilding one per call. */
    private final Cache<String, AsyncBucketProxy> proxies;

    public RedisSharedLimits(RedisStore store, FailureMode failureMode) {
        this.store = Objects.requireNonNull(store, "store");
        this.failureMode = Objects.requireNonNull(failureMode, "failureMode");
        this.buckets = Bucket4jLettuce.casBasedBuilder(store.connection())
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(1)))
                .clientClock(store.clock())
                .build()
                .asAsync();
        this.proxies = Caffeine.newBuilder().maximumSize(100_000).build();
        warmUp();
    }

    /**
     * One decision at start-up, off the request path: the first one loads and compiles the
     * client's code, which on a cold process takes longer than a request may wait.
     */
    private void warmUp() {
        try {
            tryConsume("warm-up", RateLimit.of(1, Duration.ofSeconds(1))).get(10, java.util.concurrent.TimeUnit.SECONDS);
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

    @Override
    public CompletableFuture<Long> tryConsume(String key, RateLimit limit) {
        return proxy(key, limit).tryConsumeAndReturnRemaining(1)
                .thenApply(p -> p.isConsumed() ? 0L : Math.max(1L, p.getNanosToWaitForRefill()));
    }

    @Override
    public void refund(String key, RateLimit limit) {
        proxy(key, limit).addTokens(1);
    }

    private AsyncBucketProxy proxy(String key, RateLimit limit) {
        // Batching: calls on one key while a round trip is under way go together in the next one, exactly
        // (each still gets its own answer); without it, concurrent compare-and-swaps on a hot key retry.
        return proxies.get(key, k -> buckets.builder().withOptimization(Optimizations.batching())
                .build(store.key(k), () -> CompletableFuture.completedFuture(
                BucketConfiguration.builder()
                        .addLimit(Bandwidth.builder().capacity(limit.capacity())
                                .refillIntervally(limit.capacity(), limit.period()).build())
                        .build())));
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

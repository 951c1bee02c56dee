/**
 * State that replicas share through Redis: the rate limits' token buckets (Bucket4j over
 * Lettuce) with a clock taken from Redis, the state of 2026-07-28 tasks with cancels and updates
 * over pub/sub, the result cache's second level with single-flight keys and invalidations over
 * pub/sub, and the settings replicas must agree on; the store's failure handling (timeouts,
 * a circuit breaker, a once-a-second check) and the events its metrics count. Without
 * {@code redis.uri} nothing here is used and everything stays in-process.
 */
package io.peregrine.policy.redis;

/**
 * State that replicas share through Redis: the rate limits' token buckets (a Lua script that
 * decides every limit of a call in one round trip, timed by Redis, or leases of their tokens),
 * the state of 2026-07-28 tasks with cancels and updates over pub/sub, the result cache's second level with single-flight keys and invalidations over
 * pub/sub, and the settings replicas must agree on; the store's failure handling (timeouts,
 * a circuit breaker, a once-a-second check) and the events its metrics count. The store speaks to
 * one Redis or, with {@code redis.cluster}, to a Redis Cluster, where the rate limits' buckets share
 * one slot and everything else spreads. Without {@code redis.uri} nothing here is used and
 * everything stays in-process.
 */
package io.peregrine.policy.redis;

/**
 * State that replicas share through Redis: the rate limits' token buckets (Bucket4j over
 * Lettuce), with the store's failure handling and a clock taken from Redis. Without
 * {@code redis.uri} nothing here is used and every decision stays in-process.
 */
package io.peregrine.policy.redis;

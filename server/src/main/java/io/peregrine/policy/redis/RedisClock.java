package io.peregrine.policy.redis;

import io.github.bucket4j.TimeMeter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A clock every replica reads alike (the ages of the replicas' entries in {@link ReplicaAgreement}):
 * Redis's {@code TIME}, read every {@value #SYNC_SECONDS} s and carried forward between reads by
 * this process's monotonic clock, so that replicas whose wall clocks disagree agree on it, give or
 * take half the round trip of their last read plus their clocks' drift since (microseconds on
 * loopback, well under a millisecond in a data centre). Shared rate limits need none of it: their
 * script reads {@code TIME} inside Redis.
 *
 * <p>On a Redis Cluster, whose nodes each keep their own clock, it reads the primary that holds the
 * rate limits' slot (the node whose clock times the buckets), whichever node that is at the time
 * of the read, so that every replica reads the same node.
 *
 * <p>It never runs backwards: a read that would move it back is ignored. Until the first read
 * succeeds (Redis down at start) it runs on this process's wall clock.
 */
public final class RedisClock implements TimeMeter, AutoCloseable {

    static final int SYNC_SECONDS = 5;

    /** Redis time at one local instant. */
    private static final class Base {
        final long redisNanos;
        final long localNanos;

        Base(long redisNanos, long localNanos) {
            this.redisNanos = redisNanos;
            this.localNanos = localNanos;
        }
    }

    /** Sends {@code TIME} to the node every replica reads. */
    private final Supplier<CompletableFuture<List<byte[]>>> time;
    private final ScheduledExecutorService sync;
    private volatile Base base;
    private volatile long lastRoundTripNanos = -1;

    /** @param time sends {@code TIME} to the node to read, and completes with its answer */
    RedisClock(Supplier<CompletableFuture<List<byte[]>>> time, Duration timeout) {
        this.time = time;
        this.base = new Base(System.currentTimeMillis() * 1_000_000L, System.nanoTime());
        this.sync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "peregrine-redis-clock");
            t.setDaemon(true);
            return t;
        });
        try {
            // At start-up, off any I/O thread: the first read is waited for, bounded by the timeout.
            read().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // Stays on the wall clock until a later read succeeds.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        sync.scheduleWithFixedDelay(this::read, SYNC_SECONDS, SYNC_SECONDS, TimeUnit.SECONDS);
    }

    private CompletableFuture<?> read() {
        long sent = System.nanoTime();
        try {
            return time.get().thenAccept(parts -> adopt(parts, sent));
        } catch (RuntimeException e) {
            // A failed read leaves the clock as it was; a throw would end the schedule.
            return CompletableFuture.failedFuture(e);
        }
    }

    private void adopt(List<byte[]> parts, long sent) {
        long received = System.nanoTime();
        long seconds = Long.parseLong(new String(parts.get(0), StandardCharsets.US_ASCII));
        long micros = Long.parseLong(new String(parts.get(1), StandardCharsets.US_ASCII));
        long roundTrip = received - sent;
        long redisNow = seconds * 1_000_000_000L + micros * 1_000L + roundTrip / 2;
        if (redisNow >= currentTimeNanos()) {
            base = new Base(redisNow, received);
        }
        lastRoundTripNanos = roundTrip;
    }

    @Override
    public long currentTimeNanos() {
        Base b = base;
        return b.redisNanos + (System.nanoTime() - b.localNanos);
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }

    /** The round trip of the last read of Redis's time (its half bounds this replica's error), or -1. */
    public long lastRoundTripNanos() {
        return lastRoundTripNanos;
    }

    @Override
    public void close() {
        sync.shutdownNow();
    }
}

package io.peregrine.policy.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.peregrine.policy.ResultCache;
import io.peregrine.policy.SharedCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The result cache's second level in Redis: each result is a string key below the key prefix
 * ({@link ResultCache} names it), holding the result's JSON as the wire has it, that expires with
 * its tool's TTL ({@code SET ... PX}). Invalidations go to every replica on one channel
 * ({@code cache-invalidations} below the prefix): the tool's name, or nothing for the whole list;
 * the replica that sends one also removes the tool's keys ({@code SCAN} and {@code UNLINK}), so
 * that a replica that did not hear it finds nothing stale either. On a Redis Cluster the entries
 * spread over the nodes (no hash tag: a command uses one key at a time), the {@code SCAN} visits
 * every primary, and the channel is heard on every node.
 *
 * <p>Identical calls on several replicas fly once: the replica that misses first claims a flight
 * key ({@code SET NX PX} for the call's timeout) and runs the call; the others look for its value
 * (polling, 5 ms first and at most every 100 ms) until it is there, the flight ends without one
 * (an error result, a call that failed), or their own timeout passes, and then run the call themselves.
 *
 * <p>Lettuce subscribes again by itself after a reconnection; an invalidation sent while a replica
 * was disconnected is lost to it, which is why the listener hears of every lost and restored
 * connection and drops its whole first level then.
 */
public final class RedisSharedCache implements SharedCache, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedCache.class);
    /** Rounds of SCAN one invalidation makes at most (of {@value #SCAN_COUNT} keys each). */
    private static final int SCAN_ROUNDS = 10_000;
    private static final int SCAN_COUNT = 1000;
    private static final byte[] CLAIMED = {'1'};
    /** A waiting replica looks for the value after this long first, then twice as long each time up to {@link #MAX_POLL_MILLIS}. */
    private static final long FIRST_POLL_MILLIS = 5;
    private static final long MAX_POLL_MILLIS = 100;

    private final RedisStore store;
    private final byte[] channel;
    private final StatefulRedisPubSubConnection<byte[], byte[]> messages;
    private volatile Listener listener;

    public RedisSharedCache(RedisStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.channel = store.key("cache-invalidations");
        this.messages = store.subscriber();
        messages.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] message) {
                if (Arrays.equals(from, channel)) {
                    deliver(message);
                }
            }
        });
        try {
            messages.async().subscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            messages.close();
            throw new IllegalStateException("cannot subscribe to " + new String(channel, StandardCharsets.UTF_8)
                    + " on Redis at " + store.where() + " (" + e + ")", e);
        }
        store.onConnectionChange(() -> {
            Listener l = listener;
            if (l != null) {
                l.disconnected();
            }
        });
    }

    private void deliver(byte[] message) {
        Listener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.invalidated(message.length == 0 ? null : new String(message, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.warn("a cache invalidation from Redis could not be handled", e);
        }
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return bounded(store.async().get(store.key(key)).toCompletableFuture());
    }

    @Override
    public void put(String key, byte[] value, long ttlMillis) {
        bounded(store.async().set(store.key(key), value, SetArgs.Builder.px(Math.max(1, ttlMillis)))
                .toCompletableFuture());
    }

    @Override
    public CompletableFuture<Boolean> claim(String key, long millis) {
        return bounded(store.async().set(store.key(key), CLAIMED,
                SetArgs.Builder.nx().px(Math.max(1, millis))).toCompletableFuture()).thenApply("OK"::equals);
    }

    @Override
    public void release(String key) {
        bounded(store.async().del(store.key(key)).toCompletableFuture());
    }

    @Override
    public CompletableFuture<byte[]> await(String key, String flightKey, long maxMillis) {
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        poll(store.key(key), store.key(flightKey), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis),
                FIRST_POLL_MILLIS, out);
        return out;
    }

    /** One look for the value and the flight (two commands written at once), then the next after {@code delay}. */
    private void poll(byte[] key, byte[] flight, long deadline, long delay, CompletableFuture<byte[]> out) {
        CompletableFuture<byte[]> value = bounded(store.async().get(key).toCompletableFuture());
        CompletableFuture<Long> held = bounded(store.async().exists(flight).toCompletableFuture());
        value.thenCombine(held, (v, h) -> {
            if (v != null) {
                out.complete(v);
            } else if (h == 0 || System.nanoTime() - deadline >= 0) {
                out.complete(null); // the flight ended without a value, or the wait is over: run the call
            } else {
                long next = Math.min(MAX_POLL_MILLIS, delay * 2);
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                        .execute(() -> poll(key, flight, deadline, next, out));
            }
            return null;
        }).exceptionally(failure -> {
            out.complete(null);
            return null;
        });
    }

    @Override
    public void invalidate(String tool) {
        byte[] message = tool == null ? new byte[0] : tool.getBytes(StandardCharsets.UTF_8);
        bounded(store.async().publish(channel, message).toCompletableFuture());
        String start = tool == null ? "cache:" : ResultCache.toolKeyPrefix(tool);
        byte[] pattern = (glob(new String(store.key(start), StandardCharsets.UTF_8)) + "*").getBytes(StandardCharsets.UTF_8);
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
        store.execute(() -> unlink(ScanCursor.INITIAL, args, SCAN_ROUNDS));
    }

    /**
     * One round of SCAN, UNLINK of what it found, and the next round, until the cursor ends or the
     * rounds run out. On a cluster Lettuce's SCAN goes through every primary in turn, the cursor
     * carrying which, and its UNLINK splits the keys by slot; the rounds run on the store's thread,
     * since moving on to a primary not yet connected waits for the connection.
     */
    private void unlink(ScanCursor cursor, ScanArgs args, int rounds) {
        if (rounds == 0) {
            return;
        }
        CompletableFuture<KeyScanCursor<byte[]>> scanned;
        try {
            scanned = store.async().scan(cursor, args).toCompletableFuture();
        } catch (RuntimeException e) {
            store.unreachable(e); // a primary could not be reached: what remains expires with its TTL
            return;
        }
        bounded(scanned).whenComplete((found, failure) -> {
            if (failure != null) {
                return; // best effort: what remains expires with its TTL
            }
            List<byte[]> keys = found.getKeys();
            if (!keys.isEmpty()) {
                bounded(store.async().unlink(keys.toArray(new byte[0][])).toCompletableFuture());
            }
            if (!found.isFinished()) {
                store.execute(() -> unlink(found, args, rounds - 1));
            }
        });
    }

    /** {@code text} as a SCAN pattern that matches it literally. */
    private static String glob(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }

    /** The future, failed with a TimeoutException after the store's timeout; failures told to the store. */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
        return f.orTimeout(store.timeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, failure) -> {
            if (failure == null) {
                store.answered();
            } else {
                store.unreachable(failure);
            }
        });
    }

    @Override
    public void listen(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
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
    public void close() {
        messages.close();
    }
}

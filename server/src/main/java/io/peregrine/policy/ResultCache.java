package io.peregrine.policy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.peregrine.tool.ToolResult;
import io.peregrine.tool.internal.ToolResultCodec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Results of cacheable tools (read-only, idempotent, with a TTL), keyed by tool, canonical
 * arguments and, for privately cached tools, the principal.
 *
 * <h2>Coalescing</h2>
 * The cache holds futures, not results. The first call for a key registers its future and runs
 * the tool (the leader); identical calls arriving before it finishes find that future and wait
 * on it instead of running the tool again, so a hundred identical concurrent calls cost one
 * execution. A result is kept for its tool's TTL from the moment it completes; an error result
 * is handed to the waiters but not kept, and a call that ends without a result (timeout,
 * cancellation, shutdown) fails its waiters and leaves nothing behind.
 *
 * <p>Entries are bounded in number (Caffeine evicts by frequency and recency) and are dropped
 * when their tool changes (all of them when the tool list changes as a whole), so a replaced tool
 * never answers with its predecessor's results.
 *
 * <h2>A second level shared by replicas</h2>
 * With a {@link SharedCache} ({@link #share}), this cache is the first level and the shared one the
 * second: a leader asks the second level ({@link #remote}) before running its tool, and a result
 * it computes is written there with its tool's TTL. The second level is keyed like the first:
 * {@code cache:<length of the tool name>:<tool>:<SHA-256 of the canonical arguments>}, followed
 * by {@code :<principal>} for privately cached tools. A change of a tool is told to every replica
 * through the shared cache, and each drops what its first level holds of that tool; when the
 * connection to the store is lost, when an invalidation may have been missed, the first level is
 * dropped whole. A second level that fails or is slow is bypassed: the call runs.
 *
 * <p>Over 400 lines: coalescing and the two levels decide together who runs a call and who waits,
 * and keeping that decision in one class is what keeps it single; the store itself lives behind
 * {@link SharedCache}.
 */
public final class ResultCache {

    /** What a lookup found. */
    public static final class Lookup {
        private final Key key;
        private final CompletableFuture<ToolResult> future;
        private final boolean leader;
        private volatile boolean fromShared;
        /** The flight this leader claimed in the second level, released when it ends; or null. */
        private volatile String flight;

        Lookup(Key key, CompletableFuture<ToolResult> future, boolean leader) {
            this.key = key;
            this.future = future;
            this.leader = leader;
        }

        /**
         * True when the caller must run the tool and then call {@link ResultCache#complete} or
         * {@link ResultCache#abandon}; false when {@link #future()} brings the result.
         */
        public boolean isLeader() {
            return leader;
        }

        /** Completes with the result (at once on a hit); fails when the shared call ended without one. */
        public CompletableFuture<ToolResult> future() {
            return future;
        }
    }

    static final class Key {
        final String tool;
        final String principal;
        final String arguments;
        final long ttlNanos;
        private final int hash;

        Key(String tool, String principal, String arguments, long ttlNanos) {
            this.tool = tool;
            this.principal = principal;
            this.arguments = arguments;
            this.ttlNanos = ttlNanos;
            this.hash = (tool.hashCode() * 31 + Objects.hashCode(principal)) * 31 + arguments.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hash == k.hash && tool.equals(k.tool) && arguments.equals(k.arguments)
                    && Objects.equals(principal, k.principal);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Hit, miss and coalesced-call counts, for metrics. */
    public static final class Stats {
        private final long hits;
        private final long misses;
        private final long coalesced;
        private final long size;
        private final long sharedHits;
        private final long sharedMisses;
        private final long sharedBypassed;
        private final long sharedCoalesced;

        Stats(long hits, long misses, long coalesced, long size, long sharedHits, long sharedMisses, long sharedBypassed,
              long sharedCoalesced) {
            this.sharedCoalesced = sharedCoalesced;
            this.hits = hits;
            this.misses = misses;
            this.coalesced = coalesced;
            this.size = size;
            this.sharedHits = sharedHits;
            this.sharedMisses = sharedMisses;
            this.sharedBypassed = sharedBypassed;
        }

        /** Calls that missed here and were answered from the shared second level. */
        public long sharedHits() {
            return sharedHits;
        }

        /** Calls that missed here and in the shared second level, and ran their tool. */
        public long sharedMisses() {
            return sharedMisses;
        }

        /** Calls that missed here and waited for the result of the identical call another replica ran. */
        public long sharedCoalesced() {
            return sharedCoalesced;
        }

        /** Calls that missed here and ran their tool without the second level: it failed, was slow, or is known down. */
        public long sharedBypassed() {
            return sharedBypassed;
        }

        /** Calls answered from a stored result. */
        public long hits() {
            return hits;
        }

        /** Calls that ran their tool. */
        public long misses() {
            return misses;
        }

        /** Calls that waited on an identical call in flight instead of running the tool. */
        public long coalesced() {
            return coalesced;
        }

        /** Entries held now (approximately). */
        public long size() {
            return size;
        }

        @Override
        public String toString() {
            return "hits=" + hits + ", misses=" + misses + ", coalesced=" + coalesced + ", size=" + size
                    + ", sharedHits=" + sharedHits + ", sharedMisses=" + sharedMisses + ", sharedBypassed=" + sharedBypassed + ", sharedCoalesced=" + sharedCoalesced;
        }
    }

    private static final CancellationException NO_RESULT =
            new CancellationException("the shared call ended without a result");

    private final AsyncCache<Key, ToolResult> cache;
    private final ConcurrentMap<Key, CompletableFuture<ToolResult>> map;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder sharedHits = new LongAdder();
    private final LongAdder sharedMisses = new LongAdder();
    private final LongAdder sharedBypassed = new LongAdder();
    private final LongAdder sharedCoalesced = new LongAdder();
    private volatile SharedCache shared;

    /**
     * @param maxEntries most results kept
     * @param ticker     the clock of the TTLs ({@link Ticker#systemTicker()} outside tests)
     */
    public ResultCache(long maxEntries, Ticker ticker) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries : " + maxEntries + " (expected: > 0)");
        }
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(Objects.requireNonNull(ticker, "ticker"))
                .expireAfter(new Expiry<Key, ToolResult>() {
                    @Override
                    public long expireAfterCreate(Key key, ToolResult value, long currentTime) {
                        return key.ttlNanos;
                    }

                    @Override
                    public long expireAfterUpdate(Key key, ToolResult value, long currentTime, long currentDuration) {
                        return key.ttlNanos;
                    }

                    @Override
                    public long expireAfterRead(Key key, ToolResult value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .buildAsync();
        this.map = cache.asMap();
    }

    /**
     * Finds the result of {@code tool} with {@code canonicalArguments}, or the identical call in
     * flight, or makes the caller the leader.
     *
     * @param principal the principal for privately cached tools, null for public ones
     */
    public Lookup lookup(String tool, String principal, String canonicalArguments, Duration ttl) {
        Key key = new Key(tool, principal, canonicalArguments, ttl.toNanos());
        CompletableFuture<ToolResult> existing = map.get(key);
        CompletableFuture<ToolResult> mine = null;
        if (existing == null) {
            mine = new CompletableFuture<>();
            existing = map.putIfAbsent(key, mine);
        }
        if (existing == null) {
            misses.increment();
            return new Lookup(key, mine, true);
        }
        if (existing.isDone() && !existing.isCompletedExceptionally()) {
            hits.increment();
        } else {
            coalesced.increment();
        }
        return new Lookup(key, existing, false);
    }

    /**
     * Makes {@code shared} the second level of this cache, and drops first-level entries as it
     * tells: a tool changed on some replica, or the connection to it was lost. Call before serving.
     */
    public void share(SharedCache shared) {
        Objects.requireNonNull(shared, "shared");
        shared.listen(new SharedCache.Listener() {
            @Override
            public void invalidated(String tool) {
                if (tool == null) {
                    cache.synchronous().invalidateAll();
                } else {
                    dropLocal(tool);
                }
            }

            @Override
            public void disconnected() {
                cache.synchronous().invalidateAll();
            }
        });
        this.shared = shared;
    }

    /** Whether a second level is shared with other replicas. */
    public boolean isShared() {
        return shared != null;
    }

    /**
     * Asks the second level for the result of the leader's call: a future that never fails,
     * completed (on the store client's thread, within its timeout) with the result stored by some
     * replica, or with null when the call must run: a miss, a store that failed or did not answer
     * in time, a value that cannot be read. On a miss the leader claims the call's flight for
     * {@code flightMillis} (its timeout): when another replica holds it, the result is the one that
     * replica computes, waited for at most {@code flightMillis}, or null should it end without one.
     * Null itself, at once, when there is no second level or it is known to be down (an outage costs
     * calls no waiting). The caller then runs the tool, or answers with {@link #completeFromShared}.
     */
    public CompletableFuture<ToolResult> remote(Lookup leader, long flightMillis) {
        SharedCache s = shared;
        if (s == null) {
            return null;
        }
        if (!s.available()) {
            sharedBypassed.increment();
            return null;
        }
        String key = sharedKey(leader.key);
        return s.get(key).thenCompose(bytes -> {
            if (bytes != null) {
                return CompletableFuture.completedFuture(decode(bytes, sharedHits));
            }
            String flight = "flight:" + key;
            return s.claim(flight, flightMillis).thenCompose(won -> {
                if (won) {
                    leader.flight = flight;
                    sharedMisses.increment();
                    return CompletableFuture.completedFuture((ToolResult) null);
                }
                return s.await(key, flight, flightMillis).thenApply(value -> {
                    if (value == null) {
                        sharedMisses.increment();
                        return null;
                    }
                    return decode(value, sharedCoalesced);
                });
            });
        }).exceptionally(failure -> {
            sharedBypassed.increment();
            return null;
        });
    }

    private ToolResult decode(byte[] bytes, LongAdder counter) {
        try {
            ToolResult result = ToolResultCodec.decode(bytes);
            counter.increment();
            return result;
        } catch (java.io.IOException e) {
            sharedBypassed.increment();
            return null;
        }
    }

    /** The leader's call found {@code result} in the second level: keep it here and hand it to the waiters. */
    public void completeFromShared(Lookup leader, ToolResult result) {
        leader.fromShared = true;
        complete(leader, result);
    }

    /**
     * The leader's call produced {@code result}: keep it (unless an error), in the second level
     * too when it did not come from there, and hand it to the waiters.
     */
    public void complete(Lookup leader, ToolResult result) {
        SharedCache s = shared;
        if (result.isError()) {
            map.remove(leader.key, leader.future);
        } else if (s != null && !leader.fromShared) {
            try {
                s.put(sharedKey(leader.key), ToolResultCodec.encode(result),
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(leader.key.ttlNanos)));
            } catch (RuntimeException e) {
                // Not shared, still kept here: the store is best effort.
            }
        }
        land(leader, s);
        leader.future.complete(result);
    }

    /** Ends the leader's flight, after its value was written (one connection keeps the order): the waiters see either. */
    private static void land(Lookup leader, SharedCache s) {
        String flight = leader.flight;
        if (flight != null && s != null) {
            leader.flight = null;
            s.release(flight);
        }
    }

    /** The leader's call ended without a result: forget it and fail the waiters. */
    public void abandon(Lookup leader) {
        land(leader, shared);
        map.remove(leader.key, leader.future);
        leader.future.completeExceptionally(NO_RESULT);
    }

    /** Drops every entry (the tool list changed), here and, when shared, on every replica and in the second level. */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
        SharedCache s = shared;
        if (s != null) {
            s.invalidate(null);
        }
    }

    /**
     * Drops the entries of {@code tool} (added, replaced or removed), here and, when shared, on
     * every replica and in the second level.
     */
    public void invalidate(String tool) {
        Objects.requireNonNull(tool, "tool");
        dropLocal(tool);
        SharedCache s = shared;
        if (s != null) {
            s.invalidate(tool);
        }
    }

    private void dropLocal(String tool) {
        map.keySet().removeIf(k -> k.tool.equals(tool));
    }

    /**
     * The second level's key of {@code key}, below the store's prefix; {@link SharedCache}s
     * that drop a tool's entries find them by its start, {@code cache:<length>:<tool>:}.
     */
    static String sharedKey(Key key) {
        StringBuilder b = new StringBuilder(toolKeyPrefix(key.tool)).append(sha256(key.arguments));
        if (key.principal != null) {
            b.append(':').append(key.principal);
        }
        return b.toString();
    }

    /** The start of every second-level key of {@code tool}. */
    public static String toolKeyPrefix(String tool) {
        return "cache:" + tool.length() + ":" + tool + ":";
    }

    private static String sha256(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), coalesced.sum(), cache.synchronous().estimatedSize(),
                sharedHits.sum(), sharedMisses.sum(), sharedBypassed.sum(), sharedCoalesced.sum());
    }
}

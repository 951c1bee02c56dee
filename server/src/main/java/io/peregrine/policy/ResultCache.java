package io.peregrine.policy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
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
 * <p>Entries are bounded in number (Caffeine evicts by frequency and recency) and are all dropped
 * when the tool list changes, so a replaced tool never answers with its predecessor's results.
 */
public final class ResultCache {

    /** What a lookup found. */
    public static final class Lookup {
        private final Key key;
        private final CompletableFuture<ToolResult> future;
        private final boolean leader;

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

        Stats(long hits, long misses, long coalesced, long size) {
            this.hits = hits;
            this.misses = misses;
            this.coalesced = coalesced;
            this.size = size;
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
            return "hits=" + hits + ", misses=" + misses + ", coalesced=" + coalesced + ", size=" + size;
        }
    }

    private static final CancellationException NO_RESULT =
            new CancellationException("the shared call ended without a result");

    private final AsyncCache<Key, ToolResult> cache;
    private final ConcurrentMap<Key, CompletableFuture<ToolResult>> map;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();

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

    /** The leader's call produced {@code result}: keep it (unless an error) and hand it to the waiters. */
    public void complete(Lookup leader, ToolResult result) {
        if (result.isError()) {
            map.remove(leader.key, leader.future);
        }
        leader.future.complete(result);
    }

    /** The leader's call ended without a result: forget it and fail the waiters. */
    public void abandon(Lookup leader) {
        map.remove(leader.key, leader.future);
        leader.future.completeExceptionally(NO_RESULT);
    }

    /** Drops every entry (the tool list changed). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), coalesced.sum(), cache.synchronous().estimatedSize());
    }
}

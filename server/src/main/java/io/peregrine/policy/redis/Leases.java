package io.peregrine.policy.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.peregrine.policy.SharedLimits.Bucket;
import io.peregrine.policy.SharedLimits.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The lease mode of shared limits: tokens are taken from Redis a lease at a time (up to
 * {@code limits.lease-tokens}, and at most {@code limits.lease-max-share} percent of a bucket's
 * capacity) and spent here, so that a hot bucket costs one round trip per lease rather than per
 * call.
 *
 * <p><b>Never more than the limit.</b> A lease's tokens are dropped when the Redis bucket they
 * came from refills: Redis says how long that is, and the lease ends that long after its request
 * was <em>sent</em>, which is no later than the refill, whatever the round trip took. So every
 * token spent in a period was taken from Redis in that period, and all replicas together admit at
 * most the limit per period, as in exact mode (up to this process's clock drifting against Redis's
 * over one period: parts per million of it). What a lease costs is the other way: tokens a
 * replica holds and does not spend are lost to the others until the refill, at most
 * replicas × (lease − 1) per bucket and period, so a replica may refuse a call that another
 * would have admitted.
 *
 * <p><b>All or none</b>, as in exact mode: a call is admitted here only when every bucket it needs
 * has a token in its lease, and takes one from each; buckets without one are asked for a lease in
 * one script call, which takes from none of them if one is empty. Calls needing a bucket whose
 * lease is on its way wait for it rather than ask again. A bucket Redis found empty is refused
 * here, without asking, until the refill Redis announced.
 */
final class Leases {

    /** This replica's share of one bucket; guarded by the {@link Leases}' lock. */
    private static final class Lease {
        long tokens;
        /** When the tokens are dropped (System.nanoTime): no later than the bucket's refill in Redis. */
        long expiresAt;
        /** Whether Redis found the bucket empty, until {@link #emptyUntil}. */
        boolean empty;
        long emptyUntil;
        /** A lease on its way from Redis, or null. */
        CompletableFuture<Void> coming;
    }

    private final TokenBucketScript script;
    private final long leaseTokens;
    private final int maxSharePercent;
    /** Bounded like the local limiter's keys; a lease forgotten only leaves its tokens unspent. */
    private final Cache<String, Lease> leases = Caffeine.newBuilder().maximumSize(100_000).build();

    Leases(TokenBucketScript script, long leaseTokens, int maxSharePercent) {
        if (leaseTokens < 1) {
            throw new IllegalArgumentException("limits.lease-tokens : " + leaseTokens + " (expected: >= 1)");
        }
        if (maxSharePercent < 1 || maxSharePercent > 100) {
            throw new IllegalArgumentException("limits.lease-max-share : " + maxSharePercent + " (expected: 1-100)");
        }
        this.script = script;
        this.leaseTokens = leaseTokens;
        this.maxSharePercent = maxSharePercent;
    }

    TokenBucketScript script() {
        return script;
    }

    /** The tokens one lease of a bucket of {@code capacity} takes: at least one. */
    long size(long capacity) {
        // capacity × share / 100 without overflowing for the largest capacities.
        long share = capacity / 100 * maxSharePercent + capacity % 100 * maxSharePercent / 100;
        return Math.max(1, Math.min(leaseTokens, share));
    }

    /** Takes one token from each of {@code buckets}, all or none, from leases here or new ones. */
    CompletableFuture<Verdict> tryConsume(List<Bucket> buckets) {
        CompletableFuture<Verdict> result = new CompletableFuture<>();
        attempt(buckets, result);
        return result;
    }

    private void attempt(List<Bucket> buckets, CompletableFuture<Verdict> result) {
        if (result.isDone()) {
            return; // timed out meanwhile: the failure mode decided
        }
        int n = buckets.size();
        List<Integer> asked = new ArrayList<>(n);
        List<CompletableFuture<Void>> awaited = new ArrayList<>(n);
        Lease[] held = new Lease[n];
        synchronized (this) {
            long now = System.nanoTime();
            boolean all = true;
            for (int i = 0; i < n; i++) {
                Lease l = leases.get(buckets.get(i).key(), k -> new Lease());
                held[i] = l;
                if (l.empty && now - l.emptyUntil < 0) {
                    result.complete(new Verdict(i, l.emptyUntil - now));
                    return;
                }
                l.empty = false;
                if (l.tokens > 0 && now - l.expiresAt >= 0) {
                    l.tokens = 0;
                }
                all &= l.tokens > 0;
            }
            if (all) {
                for (Lease l : held) {
                    l.tokens--;
                }
                result.complete(Verdict.ADMITTED);
                return;
            }
            for (int i = 0; i < n; i++) {
                Lease l = held[i];
                if (l.tokens > 0) {
                    continue;
                }
                if (l.coming == null) {
                    l.coming = new CompletableFuture<>();
                    asked.add(i);
                }
                awaited.add(l.coming);
            }
        }
        if (!asked.isEmpty()) {
            fetch(buckets, held, asked, result);
        }
        CompletableFuture.allOf(awaited.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                attempt(buckets, result);
            }
        });
    }

    /** Asks Redis for leases of the buckets at {@code asked}, in one script call. */
    private void fetch(List<Bucket> buckets, Lease[] held, List<Integer> asked, CompletableFuture<Verdict> result) {
        List<Bucket> wanted = new ArrayList<>(asked.size());
        long[] sizes = new long[asked.size()];
        for (int j = 0; j < sizes.length; j++) {
            Bucket b = buckets.get(asked.get(j));
            wanted.add(b);
            sizes[j] = size(b.limit().capacity());
        }
        long sent = System.nanoTime();
        script.take(wanted, sizes).whenComplete((taken, failure) -> {
            List<CompletableFuture<Void>> arrived = new ArrayList<>(sizes.length);
            synchronized (this) {
                for (int j = 0; j < sizes.length; j++) {
                    Lease l = held[asked.get(j)];
                    arrived.add(l.coming);
                    l.coming = null;
                    if (taken == null) {
                        continue;
                    }
                    if (taken.admitted()) {
                        l.tokens = taken.taken()[j];
                        l.expiresAt = sent + taken.refillNanos()[j];
                    } else if (taken.refused() == j) {
                        l.empty = true;
                        l.emptyUntil = sent + taken.waitNanos();
                    }
                }
            }
            if (taken != null && !taken.admitted()) {
                // Settled before the waiters retry, so that this call is refused rather than asking again.
                result.complete(new Verdict(asked.get(taken.refused()), taken.waitNanos()));
            }
            for (CompletableFuture<Void> f : arrived) {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            }
        });
    }
}

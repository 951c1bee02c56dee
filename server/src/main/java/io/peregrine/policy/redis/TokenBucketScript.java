package io.peregrine.policy.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.peregrine.policy.SharedLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The Lua script ({@code token-buckets.lua}) that decides token buckets in Redis: it reads,
 * refills and takes from every bucket of a call in one atomic round trip, all or none, timed by
 * Redis's {@code TIME} so that no replica's clock matters. Sent as {@code EVALSHA}; a Redis that
 * does not know the script (restarted, flushed, failed over) answers {@code NOSCRIPT}, and the
 * script is then sent whole once ({@code EVAL}, which also caches it).
 *
 * <p>Buckets refill as the local ones do (Bucket4j's {@code refillIntervally(capacity, period)}):
 * whole, at the end of each period counted from the bucket's first use. Times travel in
 * microseconds, Redis's resolution.
 */
final class TokenBucketScript {

    /** What the script did: a refusal by one bucket, or the tokens taken from each. */
    record Taken(int refused, long waitNanos, long[] taken, long[] refillNanos) {
        boolean admitted() {
            return refused < 0;
        }
    }

    private static final String RESOURCE = "token-buckets.lua";

    /** Script calls in flight at once; calls made meanwhile queue for the next one. */
    static final int IN_FLIGHT = 2;

    private final RedisStore store;
    private final byte[] script;
    private final String digest;
    private final int maxBatch;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private volatile int inFlight;
    private static final AtomicIntegerFieldUpdater<TokenBucketScript> IN_FLIGHT_COUNT =
            AtomicIntegerFieldUpdater.newUpdater(TokenBucketScript.class, "inFlight");

    /** @param maxBatch the most calls one script call decides ({@code limits.shared-batch}) */
    TokenBucketScript(RedisStore store, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("limits.shared-batch : " + maxBatch + " (expected: >= 1)");
        }
        this.store = store;
        this.maxBatch = maxBatch;
        try (InputStream in = TokenBucketScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            this.script = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.digest = store.async().digest(script);
    }

    /**
     * Loads the script into Redis ahead of the first decision, waiting at most {@code millis}; a
     * Redis that does not answer now gets the script with the first decision instead. On a
     * cluster Lettuce loads it on every node, the one holding the buckets' slot among them.
     */
    void load(long millis) {
        try {
            store.async().scriptLoad(script).get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Redis slow or gone at start: EVAL sends it on the first NOSCRIPT.
        }
    }

    /**
     * Takes {@code want[i]} tokens (or what is left, at least one) from each of {@code buckets},
     * all or none; completes on Lettuce's thread. The call goes to Redis at once when fewer than
     * {@value #IN_FLIGHT} script calls are in flight, else with the calls that queued behind them,
     * up to {@code maxBatch} in one script call, as soon as one of those answers.
     */
    CompletableFuture<Taken> take(List<SharedLimits.Bucket> buckets, long[] want) {
        Pending p = new Pending(buckets, want);
        queue.add(p);
        drain();
        return p.answer;
    }

    /** One call's buckets, waiting for a script call. */
    private static final class Pending {
        final List<SharedLimits.Bucket> buckets;
        final long[] want;
        final CompletableFuture<Taken> answer = new CompletableFuture<>();

        Pending(List<SharedLimits.Bucket> buckets, long[] want) {
            this.buckets = buckets;
            this.want = want;
        }
    }

    /**
     * Sends what is queued while fewer than {@value #IN_FLIGHT} script calls are in flight. A
     * caller that finds them all in flight leaves its call queued: the one that ends next sends
     * it, having marked itself ended before it looks at the queue, as the caller queued before it
     * looked at what is in flight, so that no call is left behind.
     */
    private void drain() {
        while (!queue.isEmpty()) {
            int n = inFlight;
            if (n >= IN_FLIGHT) {
                return;
            }
            if (!IN_FLIGHT_COUNT.compareAndSet(this, n, n + 1)) {
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            Pending p;
            while (batch.size() < maxBatch && (p = queue.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                IN_FLIGHT_COUNT.decrementAndGet(this);
                continue;
            }
            CompletableFuture<List<Object>> sent;
            try {
                sent = send(batch);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((reply, failure) -> {
                IN_FLIGHT_COUNT.decrementAndGet(this);
                try {
                    if (failure != null) {
                        fail(batch, failure);
                    } else {
                        answer(batch, reply);
                    }
                } finally {
                    drain();
                }
            });
        }
    }

    /** One script call deciding {@code batch} in order. */
    private CompletableFuture<List<Object>> send(List<Pending> batch) {
        int keyCount = 0;
        for (Pending p : batch) {
            keyCount += p.buckets.size();
        }
        byte[][] keys = new byte[keyCount][];
        byte[][] args = new byte[1 + batch.size() + 3 * keyCount][];
        args[0] = ascii(batch.size());
        int k = 0;
        int a = 1;
        for (Pending p : batch) {
            int n = p.buckets.size();
            args[a++] = ascii(n);
            for (int i = 0; i < n; i++) {
                SharedLimits.Bucket b = p.buckets.get(i);
                keys[k++] = store.limitKey(b.key());
                args[a++] = ascii(b.limit().capacity());
                args[a++] = ascii(Math.max(1, TimeUnit.NANOSECONDS.toMicros(b.limit().period().toNanos())));
                args[a++] = ascii(p.want[i]);
            }
        }
        // On a cluster every key is in the buckets' slot: the call goes to the node holding it.
        RedisClusterAsyncCommands<byte[], byte[]> redis = store.async();
        return redis.<List<Object>>evalsha(digest, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                        ? redis.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(failure));
    }

    private static void fail(List<Pending> batch, Throwable failure) {
        for (Pending p : batch) {
            p.answer.completeExceptionally(failure);
        }
    }

    /** Hands each call of {@code batch} its part of the script's reply, in order. */
    private static void answer(List<Pending> batch, List<Object> reply) {
        try {
            parts(batch, reply);
        } catch (RuntimeException e) {
            fail(batch, new IllegalStateException("unexpected reply of the token-bucket script: " + reply, e));
        }
    }

    private static void parts(List<Pending> batch, List<Object> reply) {
        int at = 0;
        for (Pending p : batch) {
            int n = p.buckets.size();
            int refused = (int) number(reply, at);
            if (refused != 0) {
                p.answer.complete(new Taken(refused - 1, TimeUnit.MICROSECONDS.toNanos(number(reply, at + 1)), null, null));
                at += 2;
                continue;
            }
            long[] taken = new long[n];
            long[] refill = new long[n];
            for (int i = 0; i < n; i++) {
                taken[i] = number(reply, at + 1 + 2 * i);
                refill[i] = TimeUnit.MICROSECONDS.toNanos(number(reply, at + 2 + 2 * i));
            }
            p.answer.complete(new Taken(-1, 0, taken, refill));
            at += 1 + 2 * n;
        }
    }

    private static long number(List<Object> reply, int index) {
        return (Long) reply.get(index);
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}

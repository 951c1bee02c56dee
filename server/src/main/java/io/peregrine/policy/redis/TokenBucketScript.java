package io.peregrine.policy.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.peregrine.policy.SharedLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

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

    private final RedisStore store;
    private final byte[] script;
    private final String digest;

    TokenBucketScript(RedisStore store) {
        this.store = store;
        try (InputStream in = TokenBucketScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            this.script = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.digest = store.connection().async().digest(script);
    }

    /**
     * Loads the script into Redis ahead of the first decision, waiting at most {@code millis}; a
     * Redis that does not answer now gets the script with the first decision instead.
     */
    void load(long millis) {
        try {
            store.connection().async().scriptLoad(script).get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Redis slow or gone at start: EVAL sends it on the first NOSCRIPT.
        }
    }

    /**
     * Takes {@code want[i]} tokens (or what is left, at least one) from each of {@code buckets},
     * all or none, in one round trip; completes on Lettuce's thread.
     */
    CompletableFuture<Taken> take(List<SharedLimits.Bucket> buckets, long[] want) {
        int n = buckets.size();
        byte[][] keys = new byte[n][];
        byte[][] args = new byte[3 * n][];
        for (int i = 0; i < n; i++) {
            SharedLimits.Bucket b = buckets.get(i);
            keys[i] = store.key(b.key());
            args[3 * i] = ascii(b.limit().capacity());
            args[3 * i + 1] = ascii(Math.max(1, TimeUnit.NANOSECONDS.toMicros(b.limit().period().toNanos())));
            args[3 * i + 2] = ascii(want[i]);
        }
        RedisAsyncCommands<byte[], byte[]> redis = store.connection().async();
        return redis.<List<Object>>evalsha(digest, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                        ? redis.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(failure))
                .thenApply(reply -> taken(reply, n));
    }

    private static Taken taken(List<Object> reply, int n) {
        int refused = (int) number(reply, 0);
        if (refused != 0) {
            return new Taken(refused - 1, TimeUnit.MICROSECONDS.toNanos(number(reply, 1)), null, null);
        }
        long[] taken = new long[n];
        long[] refill = new long[n];
        for (int i = 0; i < n; i++) {
            taken[i] = number(reply, 1 + 2 * i);
            refill[i] = TimeUnit.MICROSECONDS.toNanos(number(reply, 2 + 2 * i));
        }
        return new Taken(-1, 0, taken, refill);
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

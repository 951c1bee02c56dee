package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;
import io.peregrine.launcher.Main;
import io.peregrine.policy.Grants;
import io.peregrine.policy.PolicyEvents;
import io.peregrine.policy.Principal;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.Refusal;
import io.peregrine.policy.SharedLimits.FailureMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures of docs/scaling.md, measured against a real redis-server on loopback: shared and
 * local limits end to end (tools/call over TCP through Peregrine's client), and the limiter's
 * decisions alone, while Redis answers and while it is frozen. Bounded by call counts; off by
 * default, since it measures rather than checks:
 *
 * <pre>
 * mvn -q -o -pl server test -Dtest=SharedLimitsFigures -Dsurefire.failIfNoSpecifiedTests=false -Dperegrine.figures=true
 * </pre>
 *
 * It prints one line per figure ({@code figure: ...}).
 */
@EnabledIfSystemProperty(named = "peregrine.figures", matches = "true")
class SharedLimitsFigures {

    private static final int WARMUP = 3_000;
    private static final int CALLS = 20_000;
    private static final int IN_FLIGHT = 16;

    private static void figure(String text) {
        System.out.println("figure: " + text);
    }

    /**
     * Redis's counts so far: every command, those a script runs included ({@code INFO stats}),
     * and the script calls ({@code EVALSHA} in {@code INFO commandstats}), each a round trip.
     */
    private static long[] commands(RedisServer redis) {
        try (RedisStore probe = RedisStore.connect(redis.uri(), null, Duration.ofSeconds(5), "", Map.<String, String>of()::get)) {
            var sync = probe.sync();
            for (String line : sync.info("stats").split("\r?\n")) {
                if (line.startsWith("total_commands_processed:")) {
                    return new long[] {Long.parseLong(line.substring(line.indexOf(':') + 1).trim()),
                            SharedRateLimitTest.commandStat(sync, "evalsha")};
                }
            }
            throw new IllegalStateException("no total_commands_processed in INFO stats");
        }
    }

    /** {@code calls} echo calls, {@link #IN_FLIGHT} at a time on one TCP connection: calls/s, then latencies in µs. */
    private static long[] run(PeregrineClient client, int calls) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        long[] micros = new long[calls];
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
        for (int i = 0; i < calls; i++) {
            slots.acquire();
            long sent = System.nanoTime();
            int n = i;
            CompletableFuture<CallToolResult> call = client.callToolAsync("echo", Map.of("message", "x"), null).result();
            all[i] = call.whenComplete((r, t) -> {
                micros[n] = (System.nanoTime() - sent) / 1_000;
                if (t != null || r.isError()) {
                    failed.incrementAndGet();
                }
                slots.release();
            });
        }
        CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        assertThat(failed.get()).isZero();
        Arrays.sort(micros);
        return new long[] {calls * 1_000_000_000L / elapsed, micros[calls / 2], micros[calls * 99 / 100]};
    }

    private static long[] endToEnd(RedisServer redis, boolean shared) throws Exception {
        String[] args = {"--set", "redis.uri=" + (shared ? redis.uri() : ""), "--set", "limits.per-principal=1000000000/1m",
                "--set", "io.threads=1", "--set", "tcp.port=0", "--set", "http.enabled=false"};
        try (Peregrine server = Main.start(args, Map.of());
             PeregrineClient client = PeregrineClient.builder().address(server.addresses().tcp()).connect()) {
            run(client, WARMUP);
            long[] before = commands(redis);
            long[] figures = run(client, CALLS);
            long[] after = commands(redis);
            return new long[] {figures[0], figures[1], figures[2], (after[0] - before[0]) * 100 / CALLS,
                    (after[1] - before[1]) * 100 / CALLS};
        }
    }

    @Test
    void endToEndSharedAgainstLocal() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            long[] local = endToEnd(redis, false);
            long[] shared = endToEnd(redis, true);
            figure(String.format("tools/call over TCP, %d in flight on one connection, %d calls: local limits %d calls/s "
                    + "p50 %d µs p99 %d µs; shared limits %d calls/s p50 %d µs p99 %d µs (ratio %.2f), %d.%02d script "
                    + "calls (round trips) per call, %d.%02d Redis commands per call as Redis counts them (the script's "
                    + "own included)", IN_FLIGHT, CALLS, local[0], local[1], local[2], shared[0], shared[1], shared[2],
                    shared[0] / (double) local[0], shared[4] / 100, shared[4] % 100, shared[3] / 100, shared[3] % 100));
        }
    }

    @Test
    void decisionsWhileRedisAnswersAndWhileItIsFrozen() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RedisStore store = RedisStore.connect(redis.uri(), null, Duration.ofMillis(250), "figures:",
                     Map.<String, String>of()::get)) {
            RateLimiter limiter = RateLimiter.builder().perPrincipal(RateLimit.parse("1000000000/1m"))
                    .shared(new RedisSharedLimits(store, FailureMode.FAIL_OPEN)).build();
            Principal alice = new Principal("alice", "test", Grants.ALL, Long.MAX_VALUE);
            for (int i = 0; i < WARMUP; i++) {
                limiter.tryAcquireAsync(alice, "echo", PolicyEvents.NONE).get(10, TimeUnit.SECONDS);
            }
            figure("one decision at a time, Redis answering: " + oneAtATime(limiter, alice));
            redis.pause();
            try {
                // The first decision finds the outage (it waits out redis.timeout); the rest know it.
                limiter.tryAcquireAsync(alice, "echo", PolicyEvents.NONE).get(10, TimeUnit.SECONDS);
                figure("one decision at a time, Redis frozen (fail-open, outage known): " + oneAtATime(limiter, alice));
            } finally {
                redis.resume();
            }
        }
    }

    private static String oneAtATime(RateLimiter limiter, Principal who) throws Exception {
        long[] micros = new long[CALLS / 4];
        long start = System.nanoTime();
        for (int i = 0; i < micros.length; i++) {
            long t = System.nanoTime();
            Refusal r = limiter.tryAcquireAsync(who, "echo", PolicyEvents.NONE).get(10, TimeUnit.SECONDS);
            assertThat(r).isNull();
            micros[i] = (System.nanoTime() - t) / 1_000;
        }
        long elapsed = System.nanoTime() - start;
        Arrays.sort(micros);
        return String.format("%d decisions, %d decisions/s, p50 %d µs, p99 %d µs", micros.length,
                micros.length * 1_000_000_000L / elapsed, micros[micros.length / 2], micros[micros.length * 99 / 100]);
    }
}

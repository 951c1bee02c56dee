package io.peregrine.policy.redis;

import io.peregrine.policy.Grants;
import io.peregrine.policy.PolicyEvents;
import io.peregrine.policy.Principal;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.Refusal;
import io.peregrine.policy.SharedLimits.FailureMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits shared through a real redis-server by two limiters, each with its own connection,
 * as two replicas would be: one budget between them, and the failure modes when Redis goes away
 * and comes back.
 */
class SharedRateLimitTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisStore store(String prefix) {
        return store(prefix, TIMEOUT);
    }

    private static RedisStore store(String prefix, Duration timeout) {
        return RedisStore.connect(redis.uri(), null, timeout, prefix, Map.<String, String>of()::get);
    }

    private static RateLimiter replica(RedisStore store, FailureMode mode) {
        return RateLimiter.builder().perPrincipalTool("echo", RateLimit.parse("5/1m"))
                .shared(new RedisSharedLimits(store, mode)).build();
    }

    private static Principal principal(String name) {
        return new Principal(name, "test", Grants.ALL, Long.MAX_VALUE);
    }

    private static Refusal decide(RateLimiter limiter, Principal p) throws Exception {
        // Generous: a decision that never completes fails here; the store's own timeout is far shorter.
        return limiter.tryAcquireAsync(p, "echo", PolicyEvents.NONE).get(30, TimeUnit.SECONDS);
    }

    @Test
    void twoReplicasAdmitExactlyTheLimitBetweenThem() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix); RedisStore b = store(prefix)) {
            RateLimiter ra = replica(a, FailureMode.FAIL_CLOSED);
            RateLimiter rb = replica(b, FailureMode.FAIL_CLOSED);
            Principal alice = principal("alice");
            int admitted = 0;
            Refusal last = null;
            for (int i = 0; i < 12; i++) {
                Refusal r = decide(i % 2 == 0 ? ra : rb, alice);
                if (r == null) {
                    admitted++;
                } else {
                    last = r;
                }
            }
            assertThat(admitted).isEqualTo(5);
            assertThat(last.limit()).isEqualTo("principal-tool");
            assertThat(last.retryAfterMillis()).isBetween(1L, 60_000L);
            assertThat(last.getMessage()).contains("alice may call echo at most 5 per minute");
            // Another principal has its own five.
            assertThat(decide(rb, principal("bob"))).isNull();
            assertThat(a.failures() + b.failures()).isZero();
        }
    }

    @Test
    void bucketsExpireInRedisOnceTheyWouldBeFullAgain() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix)) {
            RateLimiter limiter = RateLimiter.builder().global(RateLimit.parse("100/1s"))
                    .perPrincipal(RateLimit.parse("5/1m")).perTool("echo=7/1h")
                    .shared(new RedisSharedLimits(a, FailureMode.FAIL_CLOSED)).build();
            assertThat(decide(limiter, principal("frank"))).isNull();
            var redisCommands = a.sync();
            List<byte[]> keys = redisCommands.keys((prefix + "rl:*").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Map<String, Long> ttl = new java.util.TreeMap<>();
            for (byte[] k : keys) {
                ttl.put(new String(k, java.nio.charset.StandardCharsets.UTF_8).substring(prefix.length()),
                        redisCommands.pttl(k));
            }
            // One key per limit, each living at most until its bucket is full again, plus a second.
            assertThat(ttl).containsOnlyKeys("rl:g:100/1000ms", "rl:t:7/3600000ms:4:echo",
                    "rl:p:5/60000ms:5:frank");
            assertThat(ttl.get("rl:g:100/1000ms")).isBetween(1L, 2_000L);
            assertThat(ttl.get("rl:p:5/60000ms:5:frank")).isBetween(1L, 61_000L);
            assertThat(ttl.get("rl:t:7/3600000ms:4:echo")).isBetween(1L, 3_601_000L);
        }
    }

    @Test
    void manyPrincipalsAtOnceEachGetExactlyTheLimit() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        // A timeout no loaded machine reaches: this test is about exactness, not about outages.
        Duration patient = Duration.ofSeconds(20);
        try (RedisStore a = store(prefix, patient); RedisStore b = store(prefix, patient)) {
            RateLimiter ra = replica(a, FailureMode.FAIL_CLOSED);
            RateLimiter rb = replica(b, FailureMode.FAIL_CLOSED);
            assertEachOf200PrincipalsGetsFive(ra, rb);
            assertThat(a.failures() + b.failures()).isZero();
        }
    }

    /** The principals of {@link #assertEachOf200PrincipalsGetsFive}. */
    static final int PRINCIPALS = 200;

    /**
     * 200 principals call 9 times each at once, alternating between the two replicas' limiters of
     * {@code echo=5/1m}: each is admitted exactly 5 times, every other call refused by that limit.
     */
    static void assertEachOf200PrincipalsGetsFive(RateLimiter ra, RateLimiter rb) throws Exception {
        int principals = PRINCIPALS;
        int callsEach = 9;
        List<CompletableFuture<Refusal>> calls = new ArrayList<>();
        List<String> who = new ArrayList<>();
        for (int round = 0; round < callsEach; round++) {
            for (int p = 0; p < principals; p++) {
                RateLimiter r = (round + p) % 2 == 0 ? ra : rb;
                calls.add(r.tryAcquireAsync(principal("p" + p), "echo", PolicyEvents.NONE));
                who.add("p" + p);
            }
        }
        Map<String, Integer> admitted = new java.util.HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            Refusal r = calls.get(i).get(60, TimeUnit.SECONDS);
            if (r == null) {
                admitted.merge(who.get(i), 1, Integer::sum);
            } else {
                assertThat(r.limit()).as("call %d", i).isEqualTo("principal-tool");
            }
        }
        assertThat(admitted).hasSize(principals);
        assertThat(admitted.values()).allMatch(n -> n == 5);
    }

    @Test
    void oneCallOfTheScriptDecidesEveryLimitOfACall() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix)) {
            RateLimiter limiter = fourLimits(a);
            var sync = a.sync();
            long evalshaBefore = commandStat(sync, "evalsha");
            CommandCount commands = CommandCount.on(a);
            int decisions = 50;
            for (int i = 0; i < decisions; i++) {
                assertThat(decide(limiter, principal("p" + (i % 10)))).isNull();
            }
            // Four buckets each, one round trip each: the script decides them together.
            Map<String, Long> sent = commands.snapshot();
            System.out.printf("%d decisions of 4 limits each: %s%n", decisions, sent);
            assertThat(sent).isEqualTo(Map.of("EVALSHA", (long) decisions));
            // Redis counts the same: one EVALSHA per decision reached it.
            assertThat(commandStat(sync, "evalsha") - evalshaBefore).isEqualTo(decisions);
        }
    }

    /**
     * Calls made while Redis is busy wait for the script calls in flight, then go together, in
     * order, {@code limits.shared-batch} at a time: Redis frozen while 300 calls are made, the
     * first two go alone and the other 298 in five script calls, which admit exactly what one
     * script call per call would have admitted (the first 150, the global limit), each refused
     * call taking no token from its principal's bucket.
     */
    @Test
    void callsMadeWhileScriptCallsAreInFlightAreDecidedTogetherInOrder() throws Exception {
        try (RedisServer frozen = RedisServer.start()) {
            String prefix = "t-" + UUID.randomUUID() + ":";
            Duration patient = Duration.ofSeconds(20);
            try (RedisStore a = RedisStore.connect(frozen.uri(), null, patient, prefix, Map.<String, String>of()::get)) {
                RateLimiter limiter = RateLimiter.builder().global(RateLimit.parse("150/1m"))
                        .perPrincipalTool("echo", RateLimit.parse("5/1m"))
                        .shared(new RedisSharedLimits(a, FailureMode.FAIL_CLOSED, 64)).build();
                CommandCount commands = CommandCount.on(a);
                int principals = 100;
                List<CompletableFuture<Refusal>> calls = new ArrayList<>();
                frozen.pause();
                try {
                    for (int round = 0; round < 3; round++) {
                        for (int p = 0; p < principals; p++) {
                            calls.add(limiter.tryAcquireAsync(principal("p" + p), "echo", PolicyEvents.NONE));
                        }
                    }
                } finally {
                    frozen.resume();
                }
                int[] admitted = new int[principals];
                for (int i = 0; i < calls.size(); i++) {
                    Refusal r = calls.get(i).get(60, TimeUnit.SECONDS);
                    if (i < 150) {
                        assertThat(r).as("call %d", i).isNull();
                        admitted[i % principals]++;
                    } else {
                        assertThat(r).as("call %d", i).isNotNull();
                        assertThat(r.limit()).isEqualTo("global");
                    }
                }
                assertThat(commands.snapshot()).isEqualTo(Map.of("EVALSHA", 2L + 5L));
                var sync = a.sync();
                assertThat(tokens(sync, prefix + "rl:g:150/60000ms")).isZero();
                for (int p = 0; p < principals; p++) {
                    String name = "p" + p;
                    assertThat(tokens(sync, prefix + "rl:pt:5/60000ms:" + name.length() + ":" + name + ":4:echo"))
                            .as(name).isEqualTo(5 - admitted[p]);
                }
                assertThat(a.failures()).isZero();
            }
        }
    }

    @Test
    void aRefusedCallTakesNoTokenFromAnyBucket() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix)) {
            RateLimiter limiter = RateLimiter.builder().global(RateLimit.parse("100/1m"))
                    .perPrincipal(RateLimit.parse("3/1m")).perPrincipalTool("echo", RateLimit.parse("1/1m"))
                    .shared(new RedisSharedLimits(a, FailureMode.FAIL_CLOSED)).build();
            Principal gina = principal("gina");
            CommandCount commands = CommandCount.on(a);
            assertThat(decide(limiter, gina)).isNull();
            Refusal refused = decide(limiter, gina);
            assertThat(refused.limit()).isEqualTo("principal-tool");
            assertThat(commands.snapshot()).isEqualTo(Map.of("EVALSHA", 2L));
            // The refusal left the global and the principal's buckets as it found them, with no refund.
            var sync = a.sync();
            assertThat(tokens(sync, prefix + "rl:g:100/60000ms")).isEqualTo(99);
            assertThat(tokens(sync, prefix + "rl:p:3/60000ms:4:gina")).isEqualTo(2);
            // So gina's two other tokens are there for another tool; then her own limit refuses.
            assertThat(limiter.tryAcquireAsync(gina, "other", PolicyEvents.NONE).get(30, TimeUnit.SECONDS)).isNull();
            assertThat(limiter.tryAcquireAsync(gina, "other", PolicyEvents.NONE).get(30, TimeUnit.SECONDS)).isNull();
            assertThat(limiter.tryAcquireAsync(gina, "other", PolicyEvents.NONE).get(30, TimeUnit.SECONDS).limit())
                    .isEqualTo("principal");
            assertThat(tokens(sync, prefix + "rl:g:100/60000ms")).isEqualTo(97);
        }
    }

    @Test
    void aRedisThatForgotTheScriptIsSentItOnce() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix)) {
            RateLimiter limiter = replica(a, FailureMode.FAIL_CLOSED);
            a.sync().scriptFlush();
            CommandCount commands = CommandCount.on(a);
            assertThat(decide(limiter, principal("hal"))).isNull();
            assertThat(decide(limiter, principal("hal"))).isNull();
            assertThat(commands.snapshot()).isEqualTo(Map.of("EVALSHA (error)", 1L, "EVAL", 1L, "EVALSHA", 1L));
            assertThat(a.failures()).isZero();
        }
    }

    @Test
    void localAndSharedLimitersAdmitTheSameCountsForTheSameSequence() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        // 3 per second, refilled whole at the end of each second: bursts at fixed points of the
        // bucket's periods, half a period away from any refill.
        RateLimit limit = RateLimit.parse("3/1s");
        double[] at = {0, 0.5, 1.5, 1.7, 3.5};
        int[] calls = {5, 2, 4, 2, 5};
        try (RedisStore a = store(prefix)) {
            RateLimiter shared = RateLimiter.builder().perPrincipalTool("echo", limit)
                    .shared(new RedisSharedLimits(a, FailureMode.FAIL_CLOSED)).build();
            RateLimiter local = RateLimiter.builder().perPrincipalTool("echo", limit).build();
            var sync = a.sync();
            Principal ivy = principal("ivy");
            List<Integer> sharedCounts = new ArrayList<>();
            List<Integer> localCounts = new ArrayList<>();
            long start = -1;
            for (int burst = 0; burst < at.length; burst++) {
                if (start >= 0) {
                    sleepUntilRedisTime(sync, start + (long) (at[burst] * 1_000_000));
                }
                int s = 0;
                int l = 0;
                for (int i = 0; i < calls[burst]; i++) {
                    s += decide(shared, ivy) == null ? 1 : 0;
                    l += local.tryAcquire(ivy, "echo") == null ? 1 : 0;
                }
                if (start < 0) {
                    start = periodStart(sync, prefix + "rl:pt:3/1000ms:3:ivy:4:echo");
                }
                sharedCounts.add(s);
                localCounts.add(l);
            }
            System.out.printf("bursts %s at %s periods: shared admitted %s, local %s%n",
                    java.util.Arrays.toString(calls), java.util.Arrays.toString(at), sharedCounts, localCounts);
            // Whole refills: nothing back half a period after a drain (a greedy refill would give one).
            assertThat(sharedCounts).containsExactly(3, 0, 3, 0, 3);
            assertThat(localCounts).isEqualTo(sharedCounts);
        }
    }

    /** Four limits on one call: global, tool, principal, principal and tool; none reached here. */
    private static RateLimiter fourLimits(RedisStore store) {
        return RateLimiter.builder().global(RateLimit.parse("100000/1m")).perTool("echo=100000/1m")
                .perPrincipal(RateLimit.parse("100000/1m")).perPrincipalTool("echo", RateLimit.parse("100000/1m"))
                .shared(new RedisSharedLimits(store, FailureMode.FAIL_CLOSED)).build();
    }

    /** {@code calls} of {@code cmdstat_<command>} in the test's redis-server's INFO commandstats. */
    static long commandStat(io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> sync, String command) {
        for (String line : sync.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }

    /** The tokens left in a bucket's state in Redis ({@code "<tokens> <period start µs>"}). */
    static long tokens(io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> sync, String key) {
        return Long.parseLong(state(sync, key)[0]);
    }

    /** When a bucket's current period started, in Redis's microseconds. */
    static long periodStart(io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> sync, String key) {
        return Long.parseLong(state(sync, key)[1]);
    }

    private static String[] state(io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> sync, String key) {
        byte[] v = sync.get(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(v).as(key).isNotNull();
        return new String(v, java.nio.charset.StandardCharsets.US_ASCII).split(" ");
    }

    /** Sleeps until Redis's clock reads {@code micros}. */
    static void sleepUntilRedisTime(io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> sync, long micros)
            throws InterruptedException {
        List<byte[]> t = sync.time();
        long now = Long.parseLong(new String(t.get(0), java.nio.charset.StandardCharsets.US_ASCII)) * 1_000_000
                + Long.parseLong(new String(t.get(1), java.nio.charset.StandardCharsets.US_ASCII));
        if (micros > now) {
            TimeUnit.MICROSECONDS.sleep(micros - now);
        }
    }

    @Test
    void redisGoneFailOpenDecidesLocallyFailClosedRefusesAndBothRecover() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix); RedisStore b = store(prefix)) {
            RateLimiter open = replica(a, FailureMode.FAIL_OPEN);
            RateLimiter closed = replica(b, FailureMode.FAIL_CLOSED);
            assertThat(decide(open, principal("carol"))).isNull();
            assertThat(decide(closed, principal("carol"))).isNull();

            redis.stop();
            // Fail-open: this replica's own bucket of 5 decides (it has not been drawn on yet).
            int admitted = 0;
            for (int i = 0; i < 7; i++) {
                if (decide(open, principal("carol")) == null) {
                    admitted++;
                }
            }
            assertThat(admitted).isEqualTo(5);
            assertThat(a.isDown()).isTrue();
            assertThat(a.failures()).isGreaterThanOrEqualTo(7);
            // Fail-closed: refused, naming the store, however many tokens are left.
            Refusal refused = decide(closed, principal("dave"));
            assertThat(refused).isNotNull();
            assertThat(refused.limit()).isEqualTo("shared-store");
            assertThat(refused.getMessage()).contains("shared through Redis").contains("fail-closed");
            assertThat(b.isDown()).isTrue();
            // The synchronous form waits no longer than the timeout either, and says the same.
            assertThat(closed.tryAcquire(principal("dave"), "echo").limit()).isEqualTo("shared-store");

            redis.restart();
            // Lettuce reconnects by itself; poll, bounded, until a decision is Redis's again.
            Refusal again = null;
            for (int i = 0; i < 600; i++) {
                again = decide(closed, principal("erin"));
                if (again == null) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(again).isNull();
            assertThat(b.isDown()).isFalse();
            // Shared again: erin has 4 left between the two replicas.
            int shared = 0;
            for (int i = 0; i < 10; i++) {
                if (decide(i % 2 == 0 ? open : closed, principal("erin")) == null) {
                    shared++;
                }
            }
            assertThat(shared).isEqualTo(4);
            assertThat(a.isDown()).isFalse();
        }
    }
}

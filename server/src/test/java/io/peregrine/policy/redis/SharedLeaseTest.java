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
 * The lease mode of shared limits on a real redis-server, two limiters as two replicas: tokens
 * taken a lease at a time, never more than the limit per period between them (a lease's leftover
 * tokens are dropped when the bucket refills), and a round trip per lease rather than per call.
 */
class SharedLeaseTest {

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
        // A timeout no loaded machine reaches: these tests are about counts, not outages.
        return RedisStore.connect(redis.uri(), null, Duration.ofSeconds(20), prefix, Map.<String, String>of()::get);
    }

    private static RateLimiter replica(RedisStore store, String limit, int leaseTokens, int maxShare) {
        return RateLimiter.builder().perPrincipalTool("echo", RateLimit.parse(limit))
                .shared(RedisSharedLimits.leased(store, FailureMode.FAIL_CLOSED, leaseTokens, maxShare)).build();
    }

    private static Principal principal(String name) {
        return new Principal(name, "test", Grants.ALL, Long.MAX_VALUE);
    }

    private static Refusal decide(RateLimiter limiter, Principal p) throws Exception {
        return limiter.tryAcquireAsync(p, "echo", PolicyEvents.NONE).get(60, TimeUnit.SECONDS);
    }

    @Test
    void twoReplicasAtOnceAdmitTheLimitWithARoundTripPerLease() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        int limit = 100;
        int lease = 10;
        try (RedisStore a = store(prefix); RedisStore b = store(prefix)) {
            RateLimiter ra = replica(a, limit + "/1m", lease, 100);
            RateLimiter rb = replica(b, limit + "/1m", lease, 100);
            CommandCount ca = CommandCount.on(a);
            CommandCount cb = CommandCount.on(b);
            Principal jo = principal("jo");
            List<CompletableFuture<Refusal>> calls = new ArrayList<>();
            int asked = 3 * limit;
            for (int i = 0; i < asked; i++) {
                calls.add((i % 2 == 0 ? ra : rb).tryAcquireAsync(jo, "echo", PolicyEvents.NONE));
            }
            int admitted = 0;
            for (CompletableFuture<Refusal> c : calls) {
                Refusal r = c.get(60, TimeUnit.SECONDS);
                if (r == null) {
                    admitted++;
                } else {
                    assertThat(r.limit()).isEqualTo("principal-tool");
                }
            }
            long trips = ca.snapshot().getOrDefault("EVALSHA", 0L) + cb.snapshot().getOrDefault("EVALSHA", 0L);
            System.out.printf("lease mode, 2 replicas, %d calls at once for %d/1m, leases of %d: %d admitted,"
                    + " %d script calls (%s, %s)%n", asked, limit, lease, admitted, trips, ca.snapshot(), cb.snapshot());
            // Never beyond the limit; short of it by at most what the two replicas hold unspent.
            assertThat(admitted).isBetween(limit - 2 * (lease - 1), limit);
            // Ten leases make the limit; each replica learns once that the bucket is empty.
            assertThat(trips).isLessThanOrEqualTo(limit / lease + 2);
            assertThat(ca.snapshot().keySet()).containsOnly("EVALSHA");
            assertThat(a.failures() + b.failures()).isZero();
        }
    }

    @Test
    void leftoverLeasedTokensAreDroppedWhenTheBucketRefills() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix); RedisStore b = store(prefix)) {
            // One lease takes the whole bucket of 10.
            RateLimiter ra = replica(a, "10/2s", 10, 100);
            RateLimiter rb = replica(b, "10/2s", 10, 100);
            Principal kim = principal("kim");
            assertThat(decide(ra, kim)).isNull();
            // A holds the other 9; B finds Redis empty.
            assertThat(decide(rb, kim).limit()).isEqualTo("principal-tool");
            var sync = a.sync();
            long start = SharedRateLimitTest.periodStart(sync, prefix + "rl:pt:10/2000ms:3:kim:4:echo");
            // A fifth into the next period: Redis refilled the bucket.
            SharedRateLimitTest.sleepUntilRedisTime(sync, start + 2_400_000);
            int second = 0;
            for (int i = 0; i < 12; i++) {
                second += decide(rb, kim) == null ? 1 : 0;
            }
            // A's 9 from the first period are gone with it: B took the whole refill.
            int leftover = 0;
            for (int i = 0; i < 9; i++) {
                leftover += decide(ra, kim) == null ? 1 : 0;
            }
            System.out.printf("second period: B admitted %d, A from its old lease %d%n", second, leftover);
            assertThat(second).isEqualTo(10);
            assertThat(leftover).isZero();
        }
    }

    @Test
    void redisGoneTheFailureModeDecidesAndLeasesResumeOnceItIsBack() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = RedisStore.connect(redis.uri(), null, Duration.ofMillis(500), prefix,
                Map.<String, String>of()::get)) {
            // Leases of one token: every call needs Redis, as a fresh bucket would.
            RateLimiter closed = replica(a, "100/1m", 1, 100);
            Principal max = principal("max");
            assertThat(decide(closed, max)).isNull();

            redis.stop();
            Refusal refused = decide(closed, max);
            assertThat(refused).isNotNull();
            assertThat(refused.limit()).isEqualTo("shared-store");
            assertThat(a.failures()).isPositive();

            redis.restart();
            // Lettuce reconnects by itself; poll, bounded, until a decision is Redis's again.
            Refusal again = refused;
            for (int i = 0; i < 600 && again != null; i++) {
                Thread.sleep(50);
                again = decide(closed, max);
            }
            assertThat(again).isNull();
            assertThat(a.isDown()).isFalse();
        }
    }

    @Test
    void smallLimitsAreLeasedATokenAtATime() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(prefix); RedisStore b = store(prefix)) {
            // 5 a minute, leases of at most 10 % of it: one token each, so both replicas share all five.
            RateLimiter ra = replica(a, "5/1m", 10, 10);
            RateLimiter rb = replica(b, "5/1m", 10, 10);
            Principal lou = principal("lou");
            int admitted = 0;
            for (int i = 0; i < 12; i++) {
                admitted += decide(i % 2 == 0 ? ra : rb, lou) == null ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(5);
        }
    }
}

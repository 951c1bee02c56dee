package io.peregrine.policy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {

    private final FakeClock clock = new FakeClock();
    private final Principal alice = new Principal("alice", "test", Grants.ALL, Long.MAX_VALUE);
    private final Principal bob = new Principal("bob", "test", Grants.ALL, Long.MAX_VALUE);

    private int passes(RateLimiter limiter, Principal p, String tool, int attempts) {
        int passed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(p, tool) == null) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void aBucketOfNLetsExactlyNThroughInAWindow() {
        RateLimiter limiter = RateLimiter.builder().perPrincipalTool("echo", RateLimit.parse("5/1m"))
                .clock(clock, clock).build();
        assertThat(passes(limiter, alice, "echo", 20)).isEqualTo(5);
        clock.advance(Duration.ofSeconds(59));
        assertThat(passes(limiter, alice, "echo", 20)).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(passes(limiter, alice, "echo", 20)).isEqualTo(5);
    }

    @Test
    void aRefusalSaysWhenToRetry() {
        RateLimiter limiter = RateLimiter.builder().perPrincipalTool("echo", RateLimit.parse("5/1m"))
                .clock(clock, clock).build();
        passes(limiter, alice, "echo", 5);
        clock.advance(Duration.ofSeconds(20));
        Refusal r = limiter.tryAcquire(alice, "echo");
        assertThat(r).isNotNull();
        assertThat(r.reason()).isEqualTo(Refusal.Reason.RATE_LIMITED);
        assertThat(r.httpStatus()).isEqualTo(429);
        assertThat(r.limit()).isEqualTo("principal-tool");
        assertThat(r.retryAfterMillis()).isEqualTo(40_000);
        assertThat(r.getMessage()).contains("alice may call echo at most 5 per minute").contains("retry in 40000 ms");
    }

    @Test
    void principalsAndToolsHaveBucketsOfTheirOwn() {
        RateLimiter limiter = RateLimiter.builder().perPrincipalTool("echo=2/1s, fs.*=3/1s")
                .clock(clock, clock).build();
        assertThat(passes(limiter, alice, "echo", 10)).isEqualTo(2);
        assertThat(passes(limiter, bob, "echo", 10)).isEqualTo(2);
        assertThat(passes(limiter, alice, "fs.read", 10)).isEqualTo(3);
        assertThat(passes(limiter, alice, "fs.list", 10)).isEqualTo(3);
        assertThat(passes(limiter, alice, "other", 10)).as("no pattern matches: no limit").isEqualTo(10);
    }

    @Test
    void globalPerPrincipalAndPerToolLimitsCombine() {
        RateLimiter limiter = RateLimiter.builder()
                .global(RateLimit.parse("10/1s"))
                .perPrincipal(RateLimit.parse("6/1s"))
                .perTool("echo", RateLimit.parse("8/1s"))
                .clock(clock, clock).build();
        assertThat(passes(limiter, alice, "echo", 100)).isEqualTo(6);
        assertThat(passes(limiter, bob, "echo", 100)).as("the tool's 8 are shared").isEqualTo(2);
        assertThat(passes(limiter, bob, "other", 100)).as("the global 10 are shared").isEqualTo(2);
        Refusal r = limiter.tryAcquire(bob, "other");
        assertThat(r.limit()).isEqualTo("global");
    }

    @Test
    void aRefusedCallGivesBackWhatItTookFromEarlierBuckets() {
        RateLimiter limiter = RateLimiter.builder()
                .global(RateLimit.parse("10/1s"))
                .perPrincipal(RateLimit.parse("2/1s"))
                .clock(clock, clock).build();
        assertThat(passes(limiter, alice, "echo", 50)).isEqualTo(2);
        assertThat(passes(limiter, bob, "echo", 50)).as("alice's 48 refusals cost the global bucket nothing")
                .isEqualTo(2);
    }

    @Test
    void connectionLimits() {
        RateLimiter limiter = RateLimiter.builder().perConnection(RateLimit.parse("3/1s")).clock(clock, clock).build();
        RateLimiter.ConnectionLimit one = limiter.newConnectionLimit();
        RateLimiter.ConnectionLimit two = limiter.newConnectionLimit();
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            passed += one.tryAcquire() == null ? 1 : 0;
        }
        assertThat(passed).isEqualTo(3);
        assertThat(two.tryAcquire()).isNull();
        assertThat(one.tryAcquire().limit()).isEqualTo("connection");
        assertThat(RateLimiter.builder().build().newConnectionLimit()).isNull();
    }

    @Test
    void aFloodOfPrincipalsIsBounded() throws Exception {
        RateLimiter limiter = RateLimiter.builder().perPrincipal(RateLimit.parse("1/1h")).maxKeys(100)
                .clock(clock, clock).build();
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire(new Principal("p" + i, "test", Grants.ALL, Long.MAX_VALUE), "echo");
        }
        java.lang.reflect.Field f = RateLimiter.class.getDeclaredField("principals");
        f.setAccessible(true);
        com.github.benmanes.caffeine.cache.Cache<?, ?> cache = (com.github.benmanes.caffeine.cache.Cache<?, ?>) f.get(limiter);
        cache.cleanUp();
        assertThat(cache.estimatedSize()).isLessThanOrEqualTo(100);
    }

    @Test
    void quietPrincipalsAreForgottenOnlyAfterTheLongestPeriod() {
        RateLimiter limiter = RateLimiter.builder().perPrincipal(RateLimit.parse("1/1h"))
                .idleExpiry(Duration.ofMinutes(1)).clock(clock, clock).build();
        assertThat(limiter.tryAcquire(alice, "echo")).isNull();
        clock.advance(Duration.ofMinutes(30));
        assertThat(limiter.tryAcquire(alice, "echo")).as("forgetting after 1 minute would reset the hour").isNotNull();
    }

    @Test
    void limitsParseAndValidate() {
        assertThat(RateLimit.parse("5/1m").period()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RateLimit.parse("100/s").capacity()).isEqualTo(100);
        for (String bad : List.of("5", "0/1s", "x/1s", "5/0s", "5/1d", "2000000/1ms")) {
            assertThatThrownBy(() -> RateLimit.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected");
        }
    }
}

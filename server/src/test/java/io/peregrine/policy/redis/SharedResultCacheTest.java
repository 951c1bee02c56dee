package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.policy.ApiKeyAuthenticator;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.ResultCache;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Content;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result cache shared by two in-process replicas through a real redis-server: a result
 * computed on one is a hit on the other (the tool's invocation counter proves it), identical calls
 * in flight on both run once, private results
 * stay with their principal, a changed tool is dropped by every replica, and a Redis that is gone
 * costs calls nothing but the cache.
 */
class SharedResultCacheTest {

    private static final ToolAnnotations READ_ONLY = ToolAnnotations.builder().readOnly(true).idempotent(true).build();
    private static final String ALICE = "Bearer alice-key-0123456789";
    private static final String BOB = "Bearer bob-key-01234567890";
    private static RedisServer redis;

    private final AtomicInteger executions = new AtomicInteger();

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

    /** A cacheable tool counting its executions; its results carry more than text, to prove they travel whole. */
    private Tool lookup(CacheScope scope, String version) {
        return Tool.builder("lookup")
                .annotations(READ_ONLY)
                .inputSchema("{\"type\":\"object\"}")
                .blocking(true)
                .cacheable(Duration.ofMinutes(5), scope)
                .handler((args, ctx) -> {
                    int n = executions.incrementAndGet();
                    return ToolResult.builder()
                            .text(version + " result " + n + " for " + args.string("q", ""))
                            .add(Content.resourceLink("file:///r/" + n, "r" + n, "text/plain", null)
                                    .annotated(Content.Annotations.of(List.of("user"), 0.5, null)))
                            .structured(Map.of("n", (long) n, "q", args.string("q", "")))
                            .build();
                })
                .build();
    }

    private Peregrine replica(String uri, String prefix, Duration timeout, Tool tool) throws Exception {
        RedisStore store = RedisStore.connect(uri, null, timeout, prefix, Map.<String, String>of()::get);
        RedisSharedCache shared = new RedisSharedCache(store);
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
                .key("alice", "alice-key-0123456789", List.of("tool:*"))
                .key("bob", "bob-key-01234567890", List.of("tool:*")).build();
        Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO).tool(tool)
                .policy(PolicyChain.builder().authenticator("tcp", keys).sharedCache(shared)
                        .closeWith(store).closeWith(shared).build())
                .build();
        server.start();
        return server;
    }

    private static PeregrineClient client(Peregrine server, String authorization) throws Exception {
        InetSocketAddress at = server.addresses().tcp();
        return PeregrineClient.builder().address(at).authorization(authorization).connect();
    }

    private static Map<String, Object> args(String q) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("q", q);
        a.put("n", 1);
        return a;
    }

    private static String text(PeregrineClient c, String q) throws Exception {
        return c.callTool("lookup", args(q)).text();
    }

    private static ResultCache.Stats stats(Peregrine server) {
        return server.policy().cache().stats();
    }

    /** Waits for {@code condition}: bounded, 200 × 25 ms. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("never: " + what);
    }

    @Test
    void aResultFilledOnOneReplicaIsAHitOnTheOther() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        try (Peregrine a = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PUBLIC, "v1"));
             Peregrine b = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PUBLIC, "v1"));
             PeregrineClient onA = client(a, ALICE);
             PeregrineClient onB = client(b, BOB)) {
            assertThat(text(onA, "x")).isEqualTo("v1 result 1 for x");
            assertThat(stats(a).sharedMisses()).isEqualTo(1);
            // The fill is written once the result is there: wait for it rather than race it.
            await("the fill in Redis", () -> keys(prefix + "cache:*") == 1);

            Map<String, Object> onBResult = onB.request("tools/call", Map.of("name", "lookup", "arguments", args("x")))
                    .get(5, TimeUnit.SECONDS);
            assertThat(executions).hasValue(1);
            assertThat(stats(b).sharedHits()).isEqualTo(1);
            Map<String, Object> onAResult = onA.request("tools/call", Map.of("name", "lookup", "arguments", args("x")))
                    .get(5, TimeUnit.SECONDS);
            // The same result, field by field: content with its annotations, structured content.
            assertThat(onBResult.toString()).isEqualTo(onAResult.toString());
            assertThat(onBResult.toString()).contains("resource_link", "priority=0.5", "structuredContent");

            // Now in B's first level: a local hit, Redis not asked again.
            assertThat(text(onB, "x")).isEqualTo("v1 result 1 for x");
            assertThat(stats(b).hits()).isEqualTo(1);
            assertThat(stats(b).sharedHits()).isEqualTo(1);

            // Other arguments run the tool, on whichever replica.
            assertThat(text(onB, "y")).isEqualTo("v1 result 2 for y");
            assertThat(executions).hasValue(2);
            assertThat(stats(a).sharedBypassed() + stats(b).sharedBypassed()).isZero();
        }
    }

    @Test
    void aHundredIdenticalConcurrentCallsOverTwoReplicasRunTheToolOnce() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        CountDownLatch release = new CountDownLatch(1);
        Tool gated = Tool.builder("lookup").annotations(READ_ONLY).inputSchema("{\"type\":\"object\"}").blocking(true)
                .cacheable(Duration.ofMinutes(5), CacheScope.PUBLIC)
                .handler((args, ctx) -> {
                    int n = executions.incrementAndGet();
                    release.await(10, TimeUnit.SECONDS);
                    return ToolResult.text("result " + n);
                })
                .build();
        try (Peregrine a = replica(redis.uri(), prefix, Duration.ofSeconds(2), gated);
             Peregrine b = replica(redis.uri(), prefix, Duration.ofSeconds(2), gated);
             PeregrineClient onA = client(a, ALICE);
             PeregrineClient onB = client(b, BOB)) {
            List<CompletableFuture<Map<String, Object>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add((i % 2 == 0 ? onA : onB).request("tools/call", Map.of("name", "lookup", "arguments", args("x"))));
            }
            // 49 calls wait on each replica's leader; one leader runs the tool, the other waits for its result.
            await("every call waiting", () -> stats(a).coalesced() + stats(b).coalesced() == 98 && executions.get() == 1);
            Thread.sleep(100);
            release.countDown();
            for (CompletableFuture<Map<String, Object>> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).toString()).contains("result 1");
            }
            assertThat(executions).hasValue(1);
            assertThat(stats(a).sharedCoalesced() + stats(b).sharedCoalesced()).isEqualTo(1);
            assertThat(keys(prefix + "flight:*")).isZero();
        }
    }

    @Test
    void privateResultsAreNotSharedBetweenPrincipals() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        try (Peregrine a = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PRIVATE, "v1"));
             Peregrine b = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PRIVATE, "v1"));
             PeregrineClient aliceOnA = client(a, ALICE);
             PeregrineClient aliceOnB = client(b, ALICE);
             PeregrineClient bobOnB = client(b, BOB)) {
            assertThat(text(aliceOnA, "x")).isEqualTo("v1 result 1 for x");
            await("alice's fill in Redis", () -> keys(prefix + "cache:*:alice") == 1);
            assertThat(text(bobOnB, "x")).isEqualTo("v1 result 2 for x");
            assertThat(executions).hasValue(2);
            assertThat(text(aliceOnB, "x")).isEqualTo("v1 result 1 for x");
            assertThat(executions).hasValue(2);
            assertThat(stats(b).sharedHits()).isEqualTo(1);
            assertThat(stats(b).sharedMisses()).isEqualTo(1);
        }
    }

    @Test
    void aToolChangedOnOneReplicaIsDroppedByTheOther() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        try (Peregrine a = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PUBLIC, "v1"));
             Peregrine b = replica(redis.uri(), prefix, Duration.ofSeconds(2), lookup(CacheScope.PUBLIC, "v1"));
             PeregrineClient onA = client(a, ALICE);
             PeregrineClient onB = client(b, BOB)) {
            assertThat(text(onA, "x")).isEqualTo("v1 result 1 for x");
            await("the fill in Redis", () -> keys(prefix + "cache:*") == 1);
            assertThat(text(onB, "x")).isEqualTo("v1 result 1 for x");
            assertThat(text(onB, "x")).isEqualTo("v1 result 1 for x");
            assertThat(stats(b).hits()).isEqualTo(1);
            assertThat(stats(b).size()).isEqualTo(1);

            // Another tool on A changes nothing of lookup's entries.
            a.tools().add(Tool.builder("other").inputSchema("{\"type\":\"object\"}").blocking(false)
                    .handler((args, ctx) -> ToolResult.text("other")).build());
            Thread.sleep(200);
            assertThat(stats(b).size()).isEqualTo(1);
            assertThat(keys(prefix + "cache:*")).isEqualTo(1);

            // lookup replaced on A: B drops its entry, Redis's is removed, and B runs the tool again.
            a.tools().add(lookup(CacheScope.PUBLIC, "v2"));
            await("B's first level dropped", () -> stats(b).size() == 0);
            await("the entry removed from Redis", () -> keys(prefix + "cache:*") == 0);
            assertThat(text(onB, "x")).isEqualTo("v1 result 2 for x");
            assertThat(text(onA, "x")).isEqualTo("v1 result 2 for x"); // A's own entry went too; B's fill is a hit
            assertThat(executions).hasValue(2);
        }
    }

    @Test
    void callsAreAnsweredWhileRedisIsGoneAndShareAgainWhenItIsBack() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        try (RedisServer own = RedisServer.start();
             Peregrine a = replica(own.uri(), prefix, Duration.ofMillis(500), lookup(CacheScope.PUBLIC, "v1"));
             Peregrine b = replica(own.uri(), prefix, Duration.ofMillis(500), lookup(CacheScope.PUBLIC, "v1"));
             PeregrineClient onA = client(a, ALICE);
             PeregrineClient onB = client(b, BOB)) {
            assertThat(text(onA, "x")).isEqualTo("v1 result 1 for x");
            assertThat(text(onB, "x")).isEqualTo("v1 result 1 for x");
            assertThat(stats(b).size()).isEqualTo(1);

            own.stop();
            // The connection lost: B's first level is dropped, invalidations being missed from now on.
            await("B's first level dropped", () -> stats(b).size() == 0);
            long before = System.nanoTime();
            assertThat(text(onB, "x")).isEqualTo("v1 result 2 for x");
            assertThat(text(onA, "z")).isEqualTo("v1 result 3 for z");
            assertThat(text(onB, "z")).isEqualTo("v1 result 4 for z");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(3 * 500 + 2000);
            assertThat(stats(a).sharedBypassed()).isPositive();
            assertThat(stats(b).sharedBypassed()).isPositive();
            // The first level still serves what this replica computed meanwhile.
            assertThat(text(onB, "z")).isEqualTo("v1 result 4 for z");
            assertThat(executions).hasValue(4);

            own.restart();
            await("both replicas reconnected", () -> a.policy().cache().stats().size() == 0
                    && b.policy().cache().stats().size() == 0);
            String q = null;
            // Reconnection is Lettuce's, with its back-off: bounded attempts until a fill on A is a hit on B.
            for (int i = 0; i < 100; i++) {
                q = "after-" + i;
                text(onA, q);
                if (keysOn(own, prefix + "cache:*") > 0 && stats(b).sharedHits() == 0) {
                    int ran = executions.get();
                    text(onB, q);
                    if (executions.get() == ran) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            assertThat(stats(b).sharedHits()).isEqualTo(1);
        }
    }

    @Test
    void aFrozenRedisCostsACallAtMostItsTimeout() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        try (RedisServer own = RedisServer.start();
             Peregrine a = replica(own.uri(), prefix, Duration.ofMillis(500), lookup(CacheScope.PUBLIC, "v1"));
             PeregrineClient onA = client(a, ALICE)) {
            assertThat(text(onA, "x")).isEqualTo("v1 result 1 for x");
            own.pause();
            try {
                long before = System.nanoTime();
                assertThat(text(onA, "y")).isEqualTo("v1 result 2 for y");
                assertThat(text(onA, "z")).isEqualTo("v1 result 3 for z");
                assertThat(text(onA, "x")).isEqualTo("v1 result 1 for x"); // the first level, untouched
                // The first lookup waits out redis.timeout; the outage then known, the next asks nothing.
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(500 + 1500);
                assertThat(stats(a).sharedBypassed()).isEqualTo(2);
            } finally {
                own.resume();
            }
        }
    }

    private static long keys(String pattern) {
        return keysOn(redis, pattern);
    }

    /** How many keys match {@code pattern}, asked with redis-cli. */
    private static long keysOn(RedisServer server, String pattern) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(server.port()), "--raw", "eval",
                    "return #redis.call('keys', ARGV[1])", "0", pattern).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return -1;
            }
            return Long.parseLong(out);
        } catch (Exception e) {
            return -1;
        }
    }
}

package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.policy.PolicyChain;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared result cache's figures in docs/scaling.md, against a real redis-server on loopback:
 * one call at a time over TCP, a miss (the tool runs on replica A and fills Redis), a hit in Redis
 * on replica B, and a hit in B's own first level. Bounded: 400 calls of each after 200 of warm-up.
 *
 * <pre>
 * mvn -q -o -pl server test -Dtest=SharedCacheFigures -Dsurefire.failIfNoSpecifiedTests=false -Dperegrine.figures=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "peregrine.figures", matches = "true")
class SharedCacheFigures {

    private static final int CALLS = 400;
    private static final int WARM_UP = 200;

    @Test
    void oneCallAtATime() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        Tool lookup = Tool.builder("lookup")
                .annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).build())
                .inputSchema("{\"type\":\"object\"}").blocking(true)
                .cacheable(Duration.ofMinutes(5), CacheScope.PUBLIC)
                .handler((args, ctx) -> ToolResult.text("result " + executions.incrementAndGet() + " for " + args.string("q", "")))
                .build();
        try (RedisServer redis = RedisServer.start();
             Peregrine a = replica(redis, lookup);
             Peregrine b = replica(redis, lookup);
             PeregrineClient onA = PeregrineClient.builder().address(a.addresses().tcp()).connect();
             PeregrineClient onB = PeregrineClient.builder().address(b.addresses().tcp()).connect()) {
            for (int i = 0; i < WARM_UP; i++) {
                onA.callTool("lookup", Map.of("q", "w" + i));
                onB.callTool("lookup", Map.of("q", "w" + i));
                onB.callTool("lookup", Map.of("q", "w" + i));
            }
            long[] miss = time(onA, "k");
            Thread.sleep(200);
            long[] shared = time(onB, "k");
            long[] local = time(onB, "k");
            assertThat(executions).hasValue(WARM_UP + CALLS);
            System.out.println("miss (runs on A, fills Redis): " + percentiles(miss));
            System.out.println("hit in Redis on B:             " + percentiles(shared));
            System.out.println("hit in B's first level:        " + percentiles(local));
            System.out.println("B: " + b.policy().cache().stats());
        }
    }

    private static Peregrine replica(RedisServer redis, Tool tool) throws Exception {
        RedisStore store = RedisStore.connect(redis.uri(), null, Duration.ofMillis(250), "figures:", Map.<String, String>of()::get);
        RedisSharedCache shared = new RedisSharedCache(store);
        Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO).tool(tool)
                .policy(PolicyChain.builder().sharedCache(shared).closeWith(store).closeWith(shared).build()).build();
        server.start();
        return server;
    }

    private static long[] time(PeregrineClient c, String prefix) throws Exception {
        long[] nanos = new long[CALLS];
        for (int i = 0; i < CALLS; i++) {
            long t = System.nanoTime();
            c.callTool("lookup", Map.of("q", prefix + i));
            nanos[i] = System.nanoTime() - t;
        }
        return nanos;
    }

    private static String percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("p50 %.2f ms, p99 %.2f ms", s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6);
    }
}

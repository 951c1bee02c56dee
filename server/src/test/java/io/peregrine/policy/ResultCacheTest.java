package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The result cache of cacheable tools, over real sockets. */
class ResultCacheTest {

    private static final ToolAnnotations READ_ONLY = ToolAnnotations.builder().readOnly(true).idempotent(true).build();

    private final AtomicInteger executions = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    private Tool lookup(CacheScope scope, boolean gate) {
        return Tool.builder("lookup")
                .annotations(READ_ONLY)
                .inputSchema("{\"type\":\"object\"}")
                .blocking(true)
                .cacheable(Duration.ofMinutes(5), scope)
                .handler((args, ctx) -> {
                    int n = executions.incrementAndGet();
                    if (gate) {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    return ToolResult.text("result " + n + " for " + args.string("q", ""));
                })
                .build();
    }

    private static Map<String, Object> args(String q, int n) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("q", q);
        a.put("n", n);
        return a;
    }

    @Test
    void aHundredIdenticalConcurrentCallsRunTheToolOnce() throws Exception {
        try (Peregrine server = PolicyTestServer.start(PolicyChain.defaults(), lookup(CacheScope.PUBLIC, true));
             PeregrineClient a = PeregrineClient.builder().address(server.addresses().tcp()).connect();
             PeregrineClient b = PeregrineClient.builder().address(server.addresses().tcp()).connect()) {
            List<CompletableFuture<Map<String, Object>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                PeregrineClient c = i % 2 == 0 ? a : b;
                calls.add(c.request("tools/call", Map.of("name", "lookup", "arguments", args("x", 1))));
            }
            ResultCache cache = server.policy().cache();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cache.stats().coalesced() < 99 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(cache.stats().coalesced()).isEqualTo(99);
            release.countDown();
            for (CompletableFuture<Map<String, Object>> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).toString()).contains("result 1 for x");
            }
            assertThat(executions).hasValue(1);
            assertThat(cache.stats().misses()).isEqualTo(1);

            // The same arguments in another order are the same call: a hit.
            Map<String, Object> reordered = new LinkedHashMap<>();
            reordered.put("n", 1);
            reordered.put("q", "x");
            CallToolResult hit = a.callTool("lookup", reordered);
            assertThat(hit.text()).isEqualTo("result 1 for x");
            assertThat(cache.stats().hits()).isEqualTo(1);
            assertThat(executions).hasValue(1);

            // Other arguments run the tool.
            assertThat(a.callTool("lookup", args("y", 1)).text()).isEqualTo("result 2 for y");

            // Another tool added leaves this tool's entries; this tool replaced drops them.
            server.tools().add(PolicyTestServer.tool("other"));
            assertThat(a.callTool("lookup", args("x", 1)).text()).isEqualTo("result 1 for x");
            server.tools().add(lookup(CacheScope.PUBLIC, false));
            assertThat(a.callTool("lookup", args("x", 1)).text()).isEqualTo("result 3 for x");
            assertThat(executions).hasValue(3);
        }
    }

    @Test
    void privateResultsAreKeptPerPrincipal() throws Exception {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
                .key("alice", "alice-key-0123456789", List.of("tool:*"))
                .key("bob", "bob-key-01234567890", List.of("tool:*")).build();
        try (Peregrine server = PolicyTestServer.start(PolicyChain.builder().authenticator("tcp", keys).build(),
                lookup(CacheScope.PRIVATE, false));
             PeregrineClient alice = PeregrineClient.builder().address(server.addresses().tcp())
                     .authorization("Bearer alice-key-0123456789").connect();
             PeregrineClient bob = PeregrineClient.builder().address(server.addresses().tcp())
                     .authorization("Bearer bob-key-01234567890").connect()) {
            assertThat(alice.callTool("lookup", args("x", 1)).text()).isEqualTo("result 1 for x");
            assertThat(alice.callTool("lookup", args("x", 1)).text()).isEqualTo("result 1 for x");
            assertThat(bob.callTool("lookup", args("x", 1)).text()).isEqualTo("result 2 for x");
            assertThat(server.policy().cache().stats().hits()).isEqualTo(1);
        }
    }

    @Test
    void errorResultsAreNotKept() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Tool flaky = Tool.builder("flaky").annotations(READ_ONLY).blocking(false).cacheable(Duration.ofMinutes(1), CacheScope.PUBLIC)
                .handler((args, ctx) -> runs.incrementAndGet() == 1 ? ToolResult.error("not yet") : ToolResult.text("ok"))
                .build();
        try (Peregrine server = PolicyTestServer.start(PolicyChain.defaults(), flaky);
             PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp()).connect()) {
            assertThat(c.callTool("flaky", Map.of()).isError()).isTrue();
            assertThat(c.callTool("flaky", Map.of()).text()).isEqualTo("ok");
            assertThat(c.callTool("flaky", Map.of()).text()).isEqualTo("ok");
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void onlyReadOnlyIdempotentToolsMayBeCacheable() {
        assertThatThrownBy(() -> Tool.builder("w").cacheable(Duration.ofSeconds(1), CacheScope.PUBLIC)
                .handler((a, c) -> ToolResult.text("")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only and idempotent");
        assertThatThrownBy(() -> Tool.builder("w").cacheable(Duration.ZERO, CacheScope.PUBLIC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: > 0");
    }

    @Test
    void entriesExpireAfterTheirTtl() {
        FakeClock clock = new FakeClock();
        ResultCache cache = new ResultCache(100, clock);
        ResultCache.Lookup first = cache.lookup("t", null, "{}", Duration.ofSeconds(10));
        assertThat(first.isLeader()).isTrue();
        cache.complete(first, ToolResult.text("v"));
        clock.advance(Duration.ofSeconds(9));
        assertThat(cache.lookup("t", null, "{}", Duration.ofSeconds(10)).isLeader()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.lookup("t", null, "{}", Duration.ofSeconds(10)).isLeader()).isTrue();
    }
}

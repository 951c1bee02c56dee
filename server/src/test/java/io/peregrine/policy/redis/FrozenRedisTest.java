package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.launcher.Main;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared-limit decision never holds an event loop: with a real redis-server frozen by
 * {@code kill -STOP} while calls flow, a server with one I/O thread keeps answering another
 * connection's pings at once, and every call is decided by the failure mode within
 * {@code redis.timeout} (then at once, the outage being known), until {@code kill -CONT}
 * brings Redis back and decisions are shared again without a restart.
 */
class FrozenRedisTest {

    /** Long on purpose: an event loop held for it would delay the pings by as much, unmistakably. */
    private static final long TIMEOUT_MS = 1500;
    /** What a decision may take beyond the timeout on a loaded machine: hand-overs between threads. */
    private static final long MARGIN_MS = 1500;

    private static Peregrine server(RedisServer redis, String failure) throws InterruptedException {
        return Main.start(new String[] {"--set", "redis.uri=" + redis.uri(), "--set", "redis.timeout=" + TIMEOUT_MS + "ms",
                "--set", "limits.global=1000000/1m", "--set", "limits.redis-failure=" + failure,
                "--set", "io.threads=1", "--set", "tcp.port=0", "--set", "http.enabled=false"}, Map.of());
    }

    private static PeregrineClient client(Peregrine server) throws java.io.IOException {
        return PeregrineClient.builder().address(server.addresses().tcp()).connect();
    }

    @Test
    void failOpenAnswersEveryCallWithinTheTimeoutAndOtherConnectionsAtOnce() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Peregrine server = server(redis, "fail-open");
             PeregrineClient caller = client(server);
             PeregrineClient other = client(server)) {
            assertThat(caller.callTool("echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            other.ping();

            redis.pause();
            try {
                long frozenAt = System.nanoTime();
                List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
                List<Long> answeredAt = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    CompletableFuture<CallToolResult> call = caller.callToolAsync("echo", Map.of("message", "m" + i), null)
                            .result();
                    calls.add(call);
                }
                for (CompletableFuture<CallToolResult> call : calls) {
                    call.whenComplete((r, t) -> {
                        synchronized (answeredAt) {
                            answeredAt.add(System.nanoTime());
                        }
                    });
                }
                // The other connection, on the same (only) event loop, while those calls wait on Redis.
                long slowestPingMs = 0;
                int pingsBeforeFirstDecision = 0;
                for (int i = 0; i < 10; i++) {
                    long start = System.nanoTime();
                    other.request("ping", Map.of()).get(30, TimeUnit.SECONDS);
                    slowestPingMs = Math.max(slowestPingMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    if (calls.stream().noneMatch(CompletableFuture::isDone)) {
                        pingsBeforeFirstDecision++;
                    }
                }
                assertThat(pingsBeforeFirstDecision).as("pings answered while every call still waited on Redis")
                        .isPositive();
                assertThat(slowestPingMs).isLessThan(TIMEOUT_MS / 2);
                for (int i = 0; i < calls.size(); i++) {
                    // fail-open: decided by this replica's own buckets, so admitted.
                    assertThat(calls.get(i).get(30, TimeUnit.SECONDS).text()).isEqualTo("m" + i);
                }
                long slowestCallMs = 0;
                synchronized (answeredAt) {
                    for (long at : answeredAt) {
                        slowestCallMs = Math.max(slowestCallMs, TimeUnit.NANOSECONDS.toMillis(at - frozenAt));
                    }
                }
                assertThat(slowestCallMs).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + MARGIN_MS);

                // The outage is known now: calls are decided at once, without waiting out the timeout.
                // (One call per timeout may be the probe that asks Redis whether it is back.)
                int quick = 0;
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    assertThat(caller.callTool("echo", Map.of("message", "known")).text()).isEqualTo("known");
                    if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < TIMEOUT_MS / 3) {
                        quick++;
                    }
                }
                assertThat(quick).isGreaterThanOrEqualTo(4);
            } finally {
                redis.resume();
            }
            // Back: decisions are Redis's again, with no restart (the global bucket's state changes in Redis).
            assertThat(sharedAgain(redis, caller)).isTrue();
        }
    }

    @Test
    void failClosedRefusesWithinTheTimeoutNamingTheStore() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Peregrine server = server(redis, "fail-closed");
             PeregrineClient caller = client(server);
             PeregrineClient other = client(server)) {
            assertThat(caller.callTool("echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            redis.pause();
            try {
                long start = System.nanoTime();
                List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    calls.add(caller.callToolAsync("echo", Map.of("message", "m" + i), null).result());
                }
                other.ping();
                assertThat(calls.stream().noneMatch(CompletableFuture::isDone)).isTrue();
                for (CompletableFuture<CallToolResult> call : calls) {
                    Throwable failure = null;
                    try {
                        call.get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        failure = e.getCause();
                    }
                    assertThat(failure).isInstanceOf(McpClientException.class);
                    McpClientException refused = (McpClientException) failure;
                    assertThat(refused.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
                    assertThat(refused.getMessage()).contains("shared through Redis").contains("fail-closed");
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(TIMEOUT_MS + MARGIN_MS);
            } finally {
                redis.resume();
            }
            String answer = null;
            for (int i = 0; i < 100 && answer == null; i++) {
                try {
                    answer = caller.callTool("echo", Map.of("message", "after")).text();
                } catch (McpClientException e) {
                    assertThat(e.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
                    Thread.sleep(100);
                }
            }
            assertThat(answer).isEqualTo("after");
        }
    }

    /** Whether a call changes the global bucket's state in Redis within a bounded number of tries. */
    private static boolean sharedAgain(RedisServer redis, PeregrineClient caller) throws Exception {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        try (var connection = client.connect()) {
            var redisCommands = connection.sync();
            for (int i = 0; i < 100; i++) {
                List<String> keys = redisCommands.keys("peregrine:rl:g:*");
                String before = keys.isEmpty() ? null : redisCommands.get(keys.get(0));
                caller.callTool("echo", Map.of("message", "again"));
                keys = redisCommands.keys("peregrine:rl:g:*");
                String after = keys.isEmpty() ? null : redisCommands.get(keys.get(0));
                if (after != null && !after.equals(before)) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        } finally {
            client.shutdown();
        }
    }
}

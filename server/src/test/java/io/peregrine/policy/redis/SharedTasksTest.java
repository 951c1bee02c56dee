package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.policy.PolicyChain;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.TaskTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 2026-07-28 tasks shared by two in-process replicas through a real redis-server: one client,
 * switching between the replicas request by request, creates a task on one and reads it,
 * answers its input requests and cancels it on the other.
 */
@SuppressWarnings("unchecked")
class SharedTasksTest {

    private static final String TASKS_EXT = "{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}},\"elicitation\":{}}";
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

    /** A replica: its own Redis connection and task store under the shared prefix, the task tools. */
    private static Peregrine replica(String prefix) throws Exception {
        return replica(RedisStore.connect(redis.uri(), null, Duration.ofSeconds(2), prefix, Map.<String, String>of()::get));
    }

    /** A replica keeping its tasks through {@code store}, which it closes, serving the task tools. */
    static Peregrine replica(RedisStore store) throws Exception {
        RedisSharedTasks tasks = new RedisSharedTasks(store);
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ofMillis(100))
                .policy(PolicyChain.builder().sharedTasks(tasks).closeWith(store).closeWith(tasks).build());
        TaskTools.all().forEach(b::tool);
        Peregrine server = b.build();
        server.start();
        return server;
    }

    /** One client over a connection to each replica, choosing the replica per request. */
    static final class Client implements AutoCloseable {
        final LineSocket[] replicas;
        int id;

        Client(Peregrine... servers) throws IOException {
            replicas = new LineSocket[servers.length];
            for (int i = 0; i < servers.length; i++) {
                replicas[i] = new LineSocket(servers[i].addresses().tcp());
            }
        }

        Map<String, Object> on(int replica, String method, String params) throws IOException {
            int n = ++id;
            LineSocket s = replicas[replica];
            s.send("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"" + method + "\",\"params\":{" + params
                    + (params.isEmpty() ? "" : ",") + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":" + TASKS_EXT + ","
                    + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}");
            for (int i = 0; i < 100; i++) {
                Map<String, Object> m = s.readJson();
                if (!m.containsKey("method") && Long.valueOf(n).equals(m.get("id"))) {
                    return m;
                }
            }
            throw new AssertionError("no response with id " + n);
        }

        /** tasks/get on {@code replica} until the task has one of {@code statuses}: bounded, 200 × 50 ms. */
        Map<String, Object> until(int replica, String taskId, String... statuses) throws Exception {
            Map<String, Object> last = null;
            for (int i = 0; i < 200; i++) {
                last = on(replica, "tasks/get", "\"taskId\":\"" + taskId + "\"");
                if (List.of(statuses).contains(at(last, "result.status"))) {
                    return last;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("task " + taskId + " never reached " + List.of(statuses) + "; last: " + last);
        }

        @Override
        public void close() throws IOException {
            for (LineSocket s : replicas) {
                s.close();
            }
        }
    }

    @Test
    void aTaskCreatedOnOneReplicaIsReadAnsweredAndCancelledOnTheOther() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (Peregrine a = replica(prefix); Peregrine b = replica(prefix); Client client = new Client(a, b)) {
            // Created on A, read on B straight after the answer: working, then completed with its result.
            Map<String, Object> created = client.on(0, "tools/call",
                    "\"name\":\"slow_compute\",\"arguments\":{\"millis\":300,\"label\":\"x\"}");
            assertThat(at(created, "result.resultType")).isEqualTo("task");
            String computed = (String) at(created, "result.taskId");
            Map<String, Object> onB = client.on(1, "tasks/get", "\"taskId\":\"" + computed + "\"");
            assertThat(at(onB, "result.resultType")).isEqualTo("complete");
            assertThat(at(onB, "result.taskId")).isEqualTo(computed);
            assertThat(at(onB, "result.status")).isIn("working", "completed");
            assertThat(at(onB, "result.ttlMs")).isEqualTo(3_600_000L);
            assertThat(at(onB, "result._meta")).isNotNull();
            Map<String, Object> done = client.until(1, computed, "completed");
            assertThat(at(done, "result.result.content.0.text")).isEqualTo("computed x in 300 ms");

            // Input requests read on B, answered on B, the task running on A completes.
            String confirm = (String) at(client.on(0, "tools/call", "\"name\":\"confirm_delete\""), "result.taskId");
            Map<String, Object> waiting = client.until(1, confirm, "input_required");
            Map<String, Object> requests = (Map<String, Object>) at(waiting, "result.inputRequests");
            assertThat(requests).hasSize(1);
            String key = requests.keySet().iterator().next();
            Map<String, Object> ack = client.on(1, "tasks/update", "\"taskId\":\"" + confirm
                    + "\",\"inputResponses\":{\"" + key + "\":{\"action\":\"accept\",\"content\":{\"confirm\":true}}}");
            assertThat(at(ack, "result.resultType")).isEqualTo("complete");
            assertThat(at(client.until(0, confirm, "completed"), "result.result.content.0.text")).isEqualTo("deleted");
            assertThat(at(client.until(1, confirm, "completed"), "result.result.content.0.text")).isEqualTo("deleted");

            // A long task on B, cancelled on A: B stops it, and both replicas report it cancelled.
            String slow = (String) at(client.on(1, "tools/call",
                    "\"name\":\"slow_compute\",\"arguments\":{\"millis\":60000,\"label\":\"long\"}"), "result.taskId");
            client.until(0, slow, "working");
            assertThat(at(client.on(0, "tasks/cancel", "\"taskId\":\"" + slow + "\""), "result.resultType"))
                    .isEqualTo("complete");
            assertThat(at(client.until(1, slow, "cancelled"), "result.statusMessage")).isEqualTo("cancelled by the client");
            assertThat(at(client.until(0, slow, "cancelled"), "result.status")).isEqualTo("cancelled");

            // A task no replica knows is unknown on both.
            for (int replica = 0; replica < 2; replica++) {
                Map<String, Object> unknown = client.on(replica, "tasks/get", "\"taskId\":\"nonexistent-12345\"");
                assertThat(at(unknown, "error.code")).isEqualTo((long) JsonRpcError.INVALID_PARAMS);
                assertThat((String) at(unknown, "error.message")).startsWith("Unknown task: nonexistent-12345");
            }
        }
    }

    @Test
    void redisGoneAnswersTasksElsewhereWithAClearErrorWithinTheTimeout() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            RedisStore store = RedisStore.connect(own.uri(), null, Duration.ofMillis(300), "p:", Map.<String, String>of()::get);
            RedisSharedTasks tasks = new RedisSharedTasks(store);
            Peregrine.Builder builder = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ofMillis(100))
                    .policy(PolicyChain.builder().sharedTasks(tasks).closeWith(store).closeWith(tasks).build());
            TaskTools.all().forEach(builder::tool);
            try (Peregrine server = builder.build()) {
                server.start();
                try (Client client = new Client(server)) {
                    own.pause();
                    try {
                        long start = System.nanoTime();
                        Map<String, Object> refused = client.on(0, "tasks/get", "\"taskId\":\"elsewhere-123\"");
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        assertThat(at(refused, "error.code")).isEqualTo((long) JsonRpcError.INTERNAL_ERROR);
                        assertThat((String) at(refused, "error.message")).isEqualTo("tasks/get cannot be answered: tasks "
                                + "are shared through Redis, which did not answer within 300 ms; retry");
                        assertThat(millis).isLessThan(3_000);
                    } finally {
                        own.resume();
                    }
                }
            }
        }
    }
}

package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.testing.Await;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.TaskTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 2025-11-25 task belongs to the session that created it: when that session's connection
 * closes, its running tasks are cancelled and forgotten, and only its own; {@code tasks/list}
 * shows its own, until they expire. Connections that created no task (every stateless request
 * among them) close without touching the store.
 */
class SessionTasksTest {

    private Peregrine server;

    @BeforeEach
    void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ofMillis(100));
        TaskTools.all().forEach(b::tool);
        server = b.build();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void closingASessionCancelsItsTasksAndNoOthers() throws Exception {
        try (LineSocket keeps = session()) {
            String kept = startSlowTask(keeps, 1);
            LineSocket leaves = session();
            startSlowTask(leaves, 1);
            startSlowTask(leaves, 2);
            assertThat(server.core().tasksKept()).isEqualTo(3);
            Await.until(() -> server.core().callsInFlight() == 3, "three tasks running");

            // Sessions that never made a task come and go; nothing of the others' is touched.
            for (int i = 0; i < 20; i++) {
                session().close();
            }
            try (LineSocket stateless = new LineSocket(server.addresses().tcp())) {
                stateless.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{\"_meta\":{"
                        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
                assertThat(stateless.readJson()).containsKey("result");
            }
            assertThat(server.core().tasksKept()).isEqualTo(3);
            assertThat(server.core().callsInFlight()).isEqualTo(3);

            leaves.close();
            Await.until(() -> server.core().tasksKept() == 1, "the closed session's two tasks forgotten");
            Await.until(() -> server.core().callsInFlight() == 1, "the closed session's two tasks cancelled");
            keeps.send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + kept + "\"}}");
            assertThat(at(keeps.readJson(), "result.status")).isEqualTo("working");
        }
        Await.until(() -> server.core().tasksKept() == 0, "the last session's task forgotten");
    }

    @Test
    void aSessionListsItsOwnTasksUntilTheyExpire() throws Exception {
        try (LineSocket mine = session(); LineSocket other = session()) {
            startSlowTask(other, 1);
            mine.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_compute\","
                    + "\"arguments\":{\"millis\":1},\"task\":{\"ttl\":300}}}");
            String shortLived = (String) at(answer(mine, 1), "result.task.taskId");
            String kept = startSlowTask(mine, 2);
            mine.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/list\"}");
            java.util.List<Object> listed = ((java.util.List<?>) at(answer(mine, 3), "result.tasks")).stream()
                    .map(t -> ((Map<?, ?>) t).get("taskId")).collect(java.util.stream.Collectors.toList());
            assertThat(listed).containsExactly(shortLived, kept);
            // The expired task leaves the store and the session's own list: nothing of it stays behind.
            int[] id = {3};
            Await.until(() -> {
                try {
                    mine.send("{\"jsonrpc\":\"2.0\",\"id\":" + ++id[0] + ",\"method\":\"tasks/list\"}");
                    return ((java.util.List<?>) at(answer(mine, id[0]), "result.tasks")).size() == 1;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "the short-lived task expired");
            mine.send("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tasks/list\"}");
            assertThat(at(answer(mine, 99), "result.tasks.0.taskId")).isEqualTo(kept);
            assertThat(server.core().tasksKept()).isEqualTo(2);
        }
    }

    private LineSocket session() throws IOException {
        LineSocket s = new LineSocket(server.addresses().tcp());
        s.initialize("2025-11-25", "{}");
        return s;
    }

    private static String startSlowTask(LineSocket s, int id) throws IOException {
        s.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"slow_compute\","
                + "\"arguments\":{\"seconds\":60},\"task\":{}}}");
        return (String) at(answer(s, id), "result.task.taskId");
    }

    /** The response to request {@code id}, past the task status notifications. */
    private static Map<String, Object> answer(LineSocket s, int id) throws IOException {
        for (int i = 0; i < 20; i++) {
            Map<String, Object> m = s.readJson();
            if (!m.containsKey("method")) {
                assertThat(m.get("id")).isEqualTo((long) id);
                return m;
            }
        }
        throw new AssertionError("no answer to request " + id);
    }
}

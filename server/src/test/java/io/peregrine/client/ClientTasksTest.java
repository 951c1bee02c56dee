package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.testing.TaskTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tasks through the client in both shapes: 2025-11-25 core tasks and the 2026-07-28 tasks extension. */
class ClientTasksTest {

    private static Peregrine server;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().noTcp().http("127.0.0.1", 0).drainTimeout(Duration.ofMillis(100));
        TaskTools.all().forEach(b::tool);
        server = b.build();
        httpPort = server.start().http().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aToolRunsAsATaskPolledToItsResult(String version) throws Exception {
        try (PeregrineClient c = PeregrineClient.builder().url("ws://127.0.0.1:" + httpPort + "/mcp")
                .protocolVersion(version).tasksExtension().requestTimeout(Duration.ofSeconds(20)).connect()) {
            TaskInfo task = c.callToolAsTask("slow_compute", Map.of("millis", 200, "label", "x"));
            assertThat(task.taskId()).isNotBlank();
            assertThat(task.status()).isEqualTo("working");
            assertThat(task.pollInterval()).isPositive();
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("computed x in 200 ms");
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("completed");

            TaskInfo failing = c.callToolAsTask("failing_job", Map.of());
            assertThat(c.taskResult(failing.taskId()).isError()).isTrue();

            TaskInfo long_ = c.callToolAsTask("slow_compute", Map.of("seconds", 60));
            c.cancelTask(long_.taskId());
            assertThat(c.getTask(long_.taskId()).status()).isEqualTo("cancelled");
            if (version.equals("2025-11-25")) {
                assertThat(c.listTasks()).extracting(TaskInfo::taskId).contains(task.taskId(), long_.taskId());
            }
            // A tool without task support: refused by the 2025 server, run at once by the 2026 one.
            assertThatThrownBy(() -> c.callToolAsTask("greet", Map.of()))
                    .isInstanceOf(McpClientException.class)
                    .hasMessageContaining(version.equals("2025-11-25") ? "does not run as a task" : "at once instead of as a task");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aTaskThatAsksIsAnsweredByTheClientsHandlers(String version) throws Exception {
        java.util.List<Object> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PeregrineClient c = PeregrineClient.builder().url("ws://127.0.0.1:" + httpPort + "/mcp")
                .protocolVersion(version).tasksExtension().requestTimeout(Duration.ofSeconds(20))
                .onElicitation(params -> {
                    asked.add(params.get("message"));
                    return Map.of("action", "accept", "content", Map.of("confirm", true));
                }).connect()) {
            TaskInfo task = c.callToolAsTask("confirm_delete", Map.of());
            // In 2026-07-28 the question waits in the task (input_required) until taskResult answers it with tasks/update.
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("deleted");
            assertThat(asked).containsExactly("Delete everything?");
        }
    }

    @org.junit.jupiter.api.Test
    void aTasksQuestionsGoToTheHandlersOfTheCallThatCreatedItWhateverElseIsInFlight() throws Exception {
        java.util.List<String> askedTheClient = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PeregrineClient c = PeregrineClient.builder().url("ws://127.0.0.1:" + httpPort + "/mcp")
                .protocolVersion("2025-11-25").requestTimeout(Duration.ofSeconds(20))
                .onElicitation(params -> {
                    askedTheClient.add(String.valueOf(params.get("message")));
                    return Map.of("action", "decline");
                }).connect()) {
            // Another call in flight: with two calls running, nothing but the related task can say whose the question is.
            java.util.concurrent.CompletableFuture<CallToolResult> other = c.callToolAsync("slow_compute",
                    Map.of("millis", 3000, "label", "other"), null).result();
            java.util.List<Object> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            CallToolResult r = c.callToolAsTaskAsync("confirm_delete", io.peregrine.rpc.RawJson.of("{}"), null,
                    CallHandlers.create().onElicitation(params -> {
                        asked.add(params.get("message"));
                        return Map.of("action", "accept", "content", Map.of("confirm", true));
                    })).get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.text()).isEqualTo("deleted");
            assertThat(asked).containsExactly("Delete everything?");
            assertThat(askedTheClient).isEmpty();
            assertThat(other.get(20, java.util.concurrent.TimeUnit.SECONDS).text()).isEqualTo("computed other in 3000 ms");

            // A tool that does not run as a task is refused as such a call.
            assertThatThrownBy(() -> c.callToolAsTaskAsync("greet", io.peregrine.rpc.RawJson.of("{}"), null, null)
                    .get(20, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(McpClientException.class);
        }
    }
}

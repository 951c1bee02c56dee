package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.TaskInfo;
import io.peregrine.client.ToolInfo;
import io.peregrine.testing.Await;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tasks of federated tools, with real parts: an upstream Peregrine server in this process with a
 * slow tool that supports tasks, reached over TCP in the 2025-11-25 era, a gateway, and Java clients
 * of both eras. The gateway runs a task-augmented call as a task of its own whose body is the call
 * forwarded upstream.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayTasksTest {

    private static Peregrine upstream;
    private static Peregrine gateway;
    /** Released by a test to let the running {@code slow} calls end. */
    private static volatile CountDownLatch release = new CountDownLatch(1);
    private static final List<String> started = new CopyOnWriteArrayList<>();
    private static final List<String> seenCancelled = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0)
                .tool(Tool.builder("slow").description("Waits until released or cancelled").blocking(true)
                        .taskSupport(TaskSupport.OPTIONAL)
                        .handler((args, ctx) -> {
                            String label = String.valueOf(args.asMap().get("label"));
                            started.add(label);
                            try {
                                while (!release.await(20, TimeUnit.MILLISECONDS)) {
                                    if (ctx.isCancelled()) {
                                        seenCancelled.add(label);
                                        return ToolResult.text("cancelled " + label);
                                    }
                                }
                            } catch (InterruptedException e) {
                                seenCancelled.add(label);
                                throw e;
                            }
                            return ToolResult.text("done " + label);
                        }).build())
                .tool(Tool.builder("plain").description("No task support").blocking(true)
                        .handler((args, ctx) -> ToolResult.text("plain")).build())
                .build();
        upstream.start();
        gateway = Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("up").url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort())
                        .protocolVersion("2025-11-25").build()).build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        release.countDown();
        gateway.close();
        upstream.close();
    }

    private static PeregrineClient client(String version) throws Exception {
        return client(version, (method, params) -> { });
    }

    private static PeregrineClient client(String version, java.util.function.BiConsumer<String, Map<String, Object>> notifications) throws Exception {
        PeregrineClient.Builder b = PeregrineClient.builder().protocolVersion(version).requestTimeout(Duration.ofSeconds(20))
                .address(gateway.addresses().tcp()).onNotification(notifications);
        if (!version.equals("2025-11-25")) {
            b.tasksExtension();
        }
        return b.connect();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aTaskAugmentedCallOfAFederatedToolIsATaskOfItsClient(String version) throws Exception {
        release = new CountDownLatch(1);
        List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(version, (method, params) -> {
                    if (method.equals("notifications/tasks/status")) {
                        statuses.add(params);
                    }
                });
             PeregrineClient other = client(version)) {
            ToolInfo slow = c.tools().stream().filter(t -> t.name().equals("up_slow")).findFirst().orElseThrow();
            assertThat(slow.definition().get("execution")).isEqualTo(Map.of("taskSupport", "optional"));
            ToolInfo plain = c.tools().stream().filter(t -> t.name().equals("up_plain")).findFirst().orElseThrow();
            assertThat(plain.definition()).doesNotContainKey("execution");

            TaskInfo task = c.callToolAsTask("up_slow", Map.of("label", "a-" + version));
            System.out.println(version + " task through the gateway: " + task);
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("working");
            if (version.equals("2025-11-25")) {
                // A task belongs to the session that created it; in 2026-07-28, which has no sessions,
                // its id (128 random bits) is what reaches it, as on a local server.
                assertThat(c.listTasks()).extracting(TaskInfo::taskId).contains(task.taskId());
                assertThat(other.listTasks()).extracting(TaskInfo::taskId).doesNotContain(task.taskId());
                assertThatThrownBy(() -> other.getTask(task.taskId())).isInstanceOf(McpClientException.class);
                assertThatThrownBy(() -> other.cancelTask(task.taskId())).isInstanceOf(McpClientException.class);
            }

            release.countDown();
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("done a-" + version);
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("completed");
            if (version.equals("2025-11-25")) {
                Await.until(() -> statuses.stream().anyMatch(n -> task.taskId().equals(n.get("taskId"))
                        && "completed".equals(n.get("status"))), "the task's status notification reaches its client");
            }

            // A tool without task support runs at once, as on a local server.
            assertThatThrownBy(() -> c.callToolAsTask("up_plain", Map.of())).isInstanceOf(McpClientException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void cancellingARunningTaskStopsTheUpstreamCall(String version) throws Exception {
        release = new CountDownLatch(1);
        String label = "c-" + version;
        try (PeregrineClient c = client(version)) {
            TaskInfo task = c.callToolAsTask("up_slow", Map.of("label", label));
            Await.until(() -> started.contains(label), "the upstream's handler runs");
            c.cancelTask(task.taskId());
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("cancelled");
            Await.until(() -> seenCancelled.contains(label), "the upstream's handler sees the cancellation");
        } finally {
            release.countDown();
        }
    }
}

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
 * forwarded upstream, itself a task of the upstream when the tool runs only as one.
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
                        .taskSupport(TaskSupport.OPTIONAL).handler(GatewayTasksTest::slow).build())
                .tool(Tool.builder("only_task").description("Waits until released or cancelled, only as a task")
                        .blocking(true).taskSupport(TaskSupport.REQUIRED).handler(GatewayTasksTest::slow).build())
                .tool(Tool.builder("plain").description("No task support").blocking(true)
                        .handler((args, ctx) -> ToolResult.text("plain")).build())
                .build();
        upstream.start();
        gateway = Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("up").url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort())
                        // Longer than Await's 30 s: a cancellation that does not reach the upstream fails the
                        // test rather than being made good by the forwarded call's deadline.
                        .protocolVersion("2025-11-25").callTimeout(Duration.ofSeconds(90)).build()).build();
        gateway.start();
    }

    private static ToolResult slow(io.peregrine.tool.ToolArguments args, io.peregrine.tool.ToolContext ctx)
            throws Exception {
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

    /** "2025-11-25 slow": the client's era, the upstream's tool (only_task runs only as a task). */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 slow", "2026-07-28 slow", "2025-11-25 only_task", "2026-07-28 only_task"})
    void aTaskAugmentedCallOfAFederatedToolIsATaskOfItsClient(String setup) throws Exception {
        String version = setup.split(" ")[0];
        String tool = "up_" + setup.split(" ")[1];
        release = new CountDownLatch(1);
        List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(version, (method, params) -> {
                    if (method.equals("notifications/tasks/status")) {
                        statuses.add(params);
                    }
                });
             PeregrineClient other = client(version)) {
            ToolInfo slow = c.tools().stream().filter(t -> t.name().equals(tool)).findFirst().orElseThrow();
            assertThat(slow.definition().get("execution"))
                    .isEqualTo(Map.of("taskSupport", tool.equals("up_slow") ? "optional" : "required"));
            ToolInfo plain = c.tools().stream().filter(t -> t.name().equals("up_plain")).findFirst().orElseThrow();
            assertThat(plain.definition()).doesNotContainKey("execution");

            String label = "a-" + setup;
            TaskInfo task = c.callToolAsTask(tool, Map.of("label", label));
            System.out.println(setup + " task through the gateway: " + task);
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
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("done " + label);
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("completed");
            if (version.equals("2025-11-25")) {
                Await.until(() -> statuses.stream().anyMatch(n -> task.taskId().equals(n.get("taskId"))
                        && "completed".equals(n.get("status"))), "the task's status notification reaches its client");
            }

            if (setup.equals("2025-11-25 only_task")) {
                // Called without params.task, a tool that runs only as a task is refused, as on a local server.
                assertThatThrownBy(() -> c.callTool(tool, Map.of("label", "plain")))
                        .isInstanceOf(McpClientException.class).hasMessageContaining("runs only as a task");
            }
            // A tool without task support runs at once, as on a local server.
            assertThatThrownBy(() -> c.callToolAsTask("up_plain", Map.of())).isInstanceOf(McpClientException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 slow", "2026-07-28 slow", "2025-11-25 only_task", "2026-07-28 only_task"})
    void cancellingARunningTaskStopsTheUpstreamCall(String setup) throws Exception {
        release = new CountDownLatch(1);
        String version = setup.split(" ")[0];
        String label = "c-" + setup;
        try (PeregrineClient c = client(version)) {
            TaskInfo task = c.callToolAsTask("up_" + setup.split(" ")[1], Map.of("label", label));
            Await.until(() -> started.contains(label), "the upstream's handler runs");
            c.cancelTask(task.taskId());
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("cancelled");
            Await.until(() -> seenCancelled.contains(label), "the upstream's handler sees the cancellation");
        } finally {
            release.countDown();
        }
    }
}

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
 * slow tool that supports tasks, reached over TCP by two gateways, one whose link speaks 2025-11-25
 * and one whose link speaks 2026-07-28, and Java clients of both eras. A gateway runs a
 * task-augmented call as a task of its own whose body is the call forwarded upstream, itself a task
 * of the upstream when the tool runs only as one: a core task through the 2025-11-25 link, a task of
 * the tasks extension through the 2026-07-28 link.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayTasksTest {

    private static Peregrine upstream;
    /** By the era their links to the upstream speak. */
    private static final Map<String, Peregrine> gateways = new java.util.concurrent.ConcurrentHashMap<>();
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
                .tool(Tool.builder("ask_task").description("Asks a name, only as a task").blocking(true)
                        .taskSupport(TaskSupport.REQUIRED).handler((args, ctx) -> {
                            io.peregrine.tool.ElicitResult r = ctx.elicit(io.peregrine.tool.Elicitation.form("Your name?",
                                    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"));
                            return ToolResult.text(r.isAccepted() ? "hello " + r.string("name") : r.action().toString());
                        }).build())
                .tool(Tool.builder("ask_two_task").description("Asks two questions at once, only as a task")
                        .blocking(true).taskSupport(TaskSupport.REQUIRED).handler((args, ctx) -> {
                            String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";
                            List<Object> answers = ctx.ask(io.peregrine.tool.Elicitation.form("First?", schema).key("first"),
                                    io.peregrine.tool.Elicitation.form("Second?", schema).key("second"));
                            return ToolResult.text(((io.peregrine.tool.ElicitResult) answers.get(0)).string("name") + " and "
                                    + ((io.peregrine.tool.ElicitResult) answers.get(1)).string("name"));
                        }).build())
                .tool(Tool.builder("compose_task").description("Asks a name, then runs only as a task")
                        .blocking(true).taskSupport(TaskSupport.REQUIRED).startsTaskItself(true).handler((args, ctx) -> {
                            io.peregrine.tool.ElicitResult r = ctx.elicit(io.peregrine.tool.Elicitation.form("Your name?",
                                    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}")
                                    .key("user_name"));
                            ctx.continueAsTask();
                            return ToolResult.text("Hello, " + r.string("name") + "!");
                        }).build())
                .build();
        upstream.start();
        for (String link : List.of("2025-11-25", "2026-07-28")) {
            Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0)
                    .upstream(UpstreamSpec.builder("up").url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort())
                            // Longer than Await's 30 s: a cancellation that does not reach the upstream fails the
                            // test rather than being made good by the forwarded call's deadline.
                            .protocolVersion(link).callTimeout(Duration.ofSeconds(90)).build()).build();
            g.start();
            gateways.put(link, g);
        }
    }

    /** "2025-11-25 2026-07-28 slow": the era of the gateway's link, the client's era, the upstream's tool. */
    private record Setup(String link, String version, String tool) {
        static Setup of(String text) {
            String[] s = text.split(" ");
            return new Setup(s[0], s[1], "up_" + s[2]);
        }
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
        gateways.values().forEach(Peregrine::close);
        upstream.close();
    }

    private static PeregrineClient client(Setup setup) throws Exception {
        return client(setup, (method, params) -> { });
    }

    private static PeregrineClient client(Setup setup, java.util.function.BiConsumer<String, Map<String, Object>> notifications)
            throws Exception {
        String version = setup.version();
        PeregrineClient.Builder b = PeregrineClient.builder().protocolVersion(version).requestTimeout(Duration.ofSeconds(20))
                .address(gateways.get(setup.link()).addresses().tcp()).onNotification(notifications)
                .onElicitation(params -> Map.of("action", "accept", "content", Map.of("name", "Ada")));
        if (!version.equals("2025-11-25")) {
            b.tasksExtension();
        }
        return b.connect();
    }

    /** See {@link Setup}; only_task runs only as a task. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25 slow", "2025-11-25 2026-07-28 slow", "2025-11-25 2025-11-25 only_task",
            "2025-11-25 2026-07-28 only_task", "2026-07-28 2025-11-25 slow", "2026-07-28 2025-11-25 only_task",
            "2026-07-28 2026-07-28 only_task"})
    void aTaskAugmentedCallOfAFederatedToolIsATaskOfItsClient(String text) throws Exception {
        Setup setup = Setup.of(text);
        String version = setup.version();
        String tool = setup.tool();
        release = new CountDownLatch(1);
        List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(setup, (method, params) -> {
                    if (method.equals("notifications/tasks/status")) {
                        statuses.add(params);
                    }
                });
             PeregrineClient other = client(setup)) {
            ToolInfo slow = c.tools().stream().filter(t -> t.name().equals(tool)).findFirst().orElseThrow();
            assertThat(slow.definition().get("execution"))
                    .isEqualTo(Map.of("taskSupport", tool.equals("up_slow") ? "optional" : "required"));
            ToolInfo plain = c.tools().stream().filter(t -> t.name().equals("up_plain")).findFirst().orElseThrow();
            assertThat(plain.definition()).doesNotContainKey("execution");

            String label = "a-" + text;
            TaskInfo task = c.callToolAsTask(tool, Map.of("label", label));
            System.out.println(text + " task through the gateway: " + task);
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

            if (version.equals("2025-11-25") && tool.equals("up_only_task")) {
                // Called without params.task, a tool that runs only as a task is refused, as on a local server.
                assertThatThrownBy(() -> c.callTool(tool, Map.of("label", "plain")))
                        .isInstanceOf(McpClientException.class).hasMessageContaining("runs only as a task");
            }
            // A tool without task support runs at once, as on a local server.
            assertThatThrownBy(() -> c.callToolAsTask("up_plain", Map.of())).isInstanceOf(McpClientException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25 slow", "2025-11-25 2026-07-28 slow", "2025-11-25 2025-11-25 only_task",
            "2025-11-25 2026-07-28 only_task", "2026-07-28 2025-11-25 only_task", "2026-07-28 2026-07-28 only_task"})
    void cancellingARunningTaskStopsTheUpstreamCall(String text) throws Exception {
        release = new CountDownLatch(1);
        Setup setup = Setup.of(text);
        String label = "c-" + text;
        try (PeregrineClient c = client(setup)) {
            TaskInfo task = c.callToolAsTask(setup.tool(), Map.of("label", label));
            Await.until(() -> started.contains(label), "the upstream's handler runs");
            c.cancelTask(task.taskId());
            assertThat(c.getTask(task.taskId()).status()).isEqualTo("cancelled");
            Await.until(() -> seenCancelled.contains(label), "the upstream's handler sees the cancellation");
        } finally {
            release.countDown();
        }
    }

    /**
     * A question the upstream's task asks reaches the gateway's client: through the 2025-11-25 link
     * as a request about the task (related-task), through the 2026-07-28 link as the task's input
     * request, answered with tasks/update; the 2025-11-25 client answers the gateway's task's
     * elicitation/create, the 2026-07-28 client its input request.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25 ask_task", "2025-11-25 2026-07-28 ask_task", "2026-07-28 2025-11-25 ask_task",
            "2026-07-28 2026-07-28 ask_task"})
    void aQuestionOfTheUpstreamsTaskIsPutToTheClient(String text) throws Exception {
        Setup setup = Setup.of(text);
        try (PeregrineClient c = client(setup)) {
            TaskInfo task = c.callToolAsTask(setup.tool(), Map.of());
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("hello Ada");
        }
        // A client that cannot answer: the task ends with the error that says why, and the upstream's task is cancelled.
        PeregrineClient.Builder without = PeregrineClient.builder().protocolVersion(setup.version())
                .requestTimeout(Duration.ofSeconds(20)).address(gateways.get(setup.link()).addresses().tcp());
        if (!setup.version().equals("2025-11-25")) {
            without.tasksExtension();
        }
        try (PeregrineClient mute = without.connect()) {
            if (setup.link().equals("2025-11-25") && setup.version().equals("2026-07-28")) {
                // What the 2025-11-25 upstream's task asks first is asked before the gateway's task begins.
                assertThatThrownBy(() -> mute.callToolAsTask(setup.tool(), Map.of()))
                        .isInstanceOf(McpClientException.class).hasMessageContaining("elicitation");
                return;
            }
            TaskInfo task = mute.callToolAsTask(setup.tool(), Map.of());
            assertThatThrownBy(() -> mute.taskResult(task.taskId())).isInstanceOf(McpClientException.class)
                    .hasMessageContaining("elicitation");
        }
    }

    /**
     * A tool that gathers input before it becomes a task (2026-07-28): a 2026-07-28 client's first
     * round is {@code input_required}, under the upstream's key and without a task; the round with
     * the answer is the task, without {@code requestState}; the task's result has the answer. Through
     * the 2026-07-28 link the upstream's own rounds are relayed; through the 2025-11-25 link the
     * upstream's task is one from the start, and what it asks first makes the rounds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2026-07-28 compose_task", "2026-07-28 2026-07-28 compose_task"})
    @SuppressWarnings("unchecked")
    void aToolThatAsksBeforeItsTaskBeginsIsAnsweredInRoundsThenATask(String text) throws Exception {
        Setup setup = Setup.of(text);
        try (PeregrineClient c = client(setup)) {
            Map<String, Object> first = c.request("tools/call", Map.of("name", setup.tool(), "arguments", Map.of()))
                    .get(20, TimeUnit.SECONDS);
            assertThat(first).containsEntry("resultType", "input_required").doesNotContainKey("taskId");
            assertThat((Map<String, Object>) first.get("inputRequests")).containsOnlyKeys("user_name");

            Map<String, Object> again = new java.util.LinkedHashMap<>(Map.of("name", setup.tool(), "arguments", Map.of(),
                    "inputResponses", Map.of("user_name", Map.of("action", "accept", "content", Map.of("name", "Alice")))));
            if (first.get("requestState") != null) {
                again.put("requestState", first.get("requestState"));
            }
            Map<String, Object> second = c.request("tools/call", again).get(20, TimeUnit.SECONDS);
            assertThat(second).containsEntry("resultType", "task").containsKey("taskId")
                    .doesNotContainKeys("requestState", "inputRequests");
            assertThat(c.taskResult((String) second.get("taskId")).text()).isEqualTo("Hello, Alice!");

            // The client's own rounds: its handler answers, and the call it returns is the task.
            TaskInfo task = c.callToolAsTask(setup.tool(), Map.of());
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("Hello, Ada!");
        }
    }

    /**
     * The two questions a 2026-07-28 upstream's task asks at once are the gateway's task's input
     * requests at once, under the upstream's keys, and one {@code tasks/update} answers both.
     */
    @org.junit.jupiter.api.Test
    @SuppressWarnings("unchecked")
    void questionsAnUpstreamsTaskAsksTogetherAreTheTasksInputRequestsTogether() throws Exception {
        Setup setup = Setup.of("2026-07-28 2026-07-28 ask_two_task");
        try (PeregrineClient c = client(setup)) {
            TaskInfo task = c.callToolAsTask(setup.tool(), Map.of());
            Map<String, Object>[] waiting = new Map[1];
            Await.until(() -> {
                waiting[0] = c.request("tasks/get", Map.of("taskId", task.taskId())).join();
                return "input_required".equals(waiting[0].get("status"));
            }, "the gateway's task waits for input");
            assertThat((Map<String, Object>) waiting[0].get("inputRequests")).containsOnlyKeys("first", "second");
            c.request("tasks/update", Map.of("taskId", task.taskId(), "inputResponses", Map.of(
                    "first", Map.of("action", "accept", "content", Map.of("name", "Ada")),
                    "second", Map.of("action", "accept", "content", Map.of("name", "Grace"))))).get(20, TimeUnit.SECONDS);
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("Ada and Grace");
        }
    }

    /** The same tools for a 2025-11-25 client: a task from the start, whose question the client answers. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25 compose_task", "2026-07-28 2025-11-25 compose_task"})
    void aToolThatAsksBeforeItsTaskBeginsIsATaskFromTheStartForA2025Client(String text) throws Exception {
        Setup setup = Setup.of(text);
        try (PeregrineClient c = client(setup)) {
            TaskInfo task = c.callToolAsTask(setup.tool(), Map.of());
            assertThat(c.taskResult(task.taskId()).text()).isEqualTo("Hello, Ada!");
        }
    }
}

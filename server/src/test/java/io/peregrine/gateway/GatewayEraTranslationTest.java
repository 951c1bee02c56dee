package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.demo.EchoTool;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.testing.CuttableProxy;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.MissingClientCapabilityException;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a 2026-07-28 client sees of an upstream that speaks only 2025-11-25, and what an upstream
 * tool sees of the gateway's client, with real parts: an upstream Peregrine server in this process,
 * reached over TCP and Streamable HTTP pinned to 2025-11-25, a gateway, and Java clients of both
 * eras sending raw requests where the wire is the point.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayEraTranslationTest {

    private static final String NAME_SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";

    private static Peregrine upstream;

    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(Tool.builder("greet").description("Asks a name under the key user_name").blocking(true)
                        .handler((args, ctx) -> {
                            ElicitResult r = ctx.elicit(Elicitation.form("What is your name?", NAME_SCHEMA).key("user_name"));
                            return ToolResult.text("Hello, " + r.string("name") + "!");
                        }).build())
                .tool(Tool.builder("greet_unkeyed").description("Asks a name under no key").blocking(true)
                        .handler((args, ctx) -> ToolResult.text("Hello, "
                                + ctx.elicit(Elicitation.form("What is your name?", NAME_SCHEMA)).string("name") + "!"))
                        .build())
                .tool(Tool.builder("needs_sampling").description("Refuses a client without sampling, asking nothing")
                        .handler((args, ctx) -> {
                            if (!ctx.clientSupports(ClientFeature.SAMPLING)) {
                                throw new MissingClientCapabilityException(ClientFeature.SAMPLING,
                                        "needs_sampling needs the client capability sampling");
                            }
                            return ToolResult.text("Success");
                        }).build())
                .tool(Tool.builder("ask_two").description("Asks two keyed questions at once; may run as a task")
                        .blocking(true).taskSupport(TaskSupport.OPTIONAL)
                        .handler((args, ctx) -> {
                            List<Object> a = ctx.ask(Elicitation.form("First?", NAME_SCHEMA).key("first"),
                                    Elicitation.form("Second?", NAME_SCHEMA).key("second"));
                            return ToolResult.text("first=" + ((ElicitResult) a.get(0)).string("name")
                                    + ", second=" + ((ElicitResult) a.get(1)).string("name"));
                        }).build())
                .tool(Tool.builder("features").description("Names the client features it sees")
                        .handler((args, ctx) -> ToolResult.text(Arrays.stream(ClientFeature.values())
                                .filter(ctx::clientSupports).map(ClientFeature::toString)
                                .collect(Collectors.joining(",")))).build())
                .build();
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    /** A gateway whose one upstream, {@code up}, is reached over {@code transport} pinned to 2025-11-25. */
    private Peregrine gateway(String transport) throws InterruptedException {
        String url = transport.equals("tcp") ? "tcp://127.0.0.1:" + upstream.addresses().tcp().getPort()
                : "http://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
        return fixture.gateway(UpstreamSpec.builder("up").url(url).protocolVersion("2025-11-25").build());
    }

    private static Map<String, Object> call(PeregrineClient client, String tool, Map<String, Object> extra)
            throws Exception {
        Map<String, Object> params = new java.util.LinkedHashMap<>(extra);
        params.put("name", tool);
        params.put("arguments", Map.of());
        return client.request("tools/call", params).get(30, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static String text(Map<String, Object> result) {
        return (String) ((List<Map<String, Object>>) result.get("content")).get(0).get("text");
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void theRoundOfA2026ClientIsNamedByTheKeyTheUpstreamToolChose(String transport) throws Exception {
        Peregrine gateway = gateway(transport);
        PeregrineClient client = fixture.connect(fixture.clientOf(gateway, "tcp", "2026-07-28")
                .onElicitation(params -> Map.of()));

        Map<String, Object> round = call(client, "up_greet", Map.of());
        assertThat(round.get("resultType")).isEqualTo("input_required");
        Map<String, Object> inputs = (Map<String, Object>) round.get("inputRequests");
        assertThat(inputs).containsOnlyKeys("user_name");
        Map<String, Object> question = (Map<String, Object>) inputs.get("user_name");
        assertThat(question.get("method")).isEqualTo("elicitation/create");
        // The key travelled in the upstream request's _meta; the client gets the question without it.
        assertThat((Map<String, Object>) question.get("params")).containsEntry("message", "What is your name?")
                .doesNotContainKey("_meta");

        Map<String, Object> done = call(client, "up_greet", Map.of("requestState", round.get("requestState"),
                "inputResponses", Map.of("user_name", Map.of("action", "accept", "content", Map.of("name", "Ada")))));
        assertThat(done.get("resultType")).isEqualTo("complete");
        assertThat(text(done)).isEqualTo("Hello, Ada!");

        // A question the upstream's tool did not key keeps the name its place gives it.
        Map<String, Object> unkeyed = call(client, "up_greet_unkeyed", Map.of());
        assertThat((Map<String, Object>) unkeyed.get("inputRequests")).containsOnlyKeys("elicitation-1");
    }

    /** A 2025 client is asked as the upstream asks a direct one: the key stays, for a gateway further in front. */
    @Test
    void a2025ClientIsAskedUnderTheSameKey() throws Exception {
        Peregrine gateway = gateway("tcp");
        List<Map<String, Object>> asked = new CopyOnWriteArrayList<>();
        PeregrineClient client = fixture.connect(fixture.clientOf(gateway, "tcp", "2025-11-25")
                .onElicitation(params -> {
                    asked.add(params);
                    return Map.of("action", "accept", "content", Map.of("name", "Ada"));
                }));

        assertThat(client.callTool("up_greet", Map.of()).text()).isEqualTo("Hello, Ada!");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).containsEntry("message", "What is your name?")
                .containsEntry("_meta", Map.of(io.peregrine.tool.ClientRequest.META_INPUT_KEY, "user_name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> inputsOf(PeregrineClient client, String task) throws Exception {
        Map<String, Object> got = client.request("tasks/get", Map.of("taskId", task)).get(30, TimeUnit.SECONDS);
        Object inputs = got.get("inputRequests");
        return inputs instanceof Map ? (Map<String, Object>) inputs : Map.of();
    }

    private static void update(PeregrineClient client, String task, String key, String name) throws Exception {
        Map<String, Object> ack = client.request("tasks/update", Map.of("taskId", task, "inputResponses",
                Map.of(key, Map.of("action", "accept", "content", Map.of("name", name))))).get(30, TimeUnit.SECONDS);
        assertThat(ack.get("resultType")).isEqualTo("complete");
    }

    /**
     * The upstream's requests of one call come on the link one after another; those it named are
     * asked at once, so the task of a 2026-07-28 client waits for both, answered one at a time.
     */
    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void questionsSentTogetherAreOneRoundOfATask(String transport) throws Exception {
        Peregrine gateway = gateway(transport);
        PeregrineClient client = fixture.connect(fixture.clientOf(gateway, "tcp", "2026-07-28")
                .tasksExtension().onElicitation(params -> Map.of()));

        String task = (String) call(client, "up_ask_two", Map.of()).get("taskId");
        assertThat(task).isNotNull();
        Await.until(() -> {
            try {
                return inputsOf(client, task).size() == 2;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "both questions wait in the task's inputRequests");
        assertThat(inputsOf(client, task)).containsOnlyKeys("first", "second");

        update(client, task, "first", "Ada");
        Map<String, Object> partly = client.request("tasks/get", Map.of("taskId", task)).get(30, TimeUnit.SECONDS);
        assertThat(partly.get("status")).isEqualTo("input_required");
        assertThat((Map<String, Object>) partly.get("inputRequests")).containsOnlyKeys("second");

        update(client, task, "second", "Grace");
        Await.until(() -> {
            try {
                return "completed".equals(client.request("tasks/get", Map.of("taskId", task))
                        .get(30, TimeUnit.SECONDS).get("status"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "the task completes once both are answered");
        assertThat(text((Map<String, Object>) client.request("tasks/get", Map.of("taskId", task))
                .get(30, TimeUnit.SECONDS).get("result"))).isEqualTo("first=Ada, second=Grace");
    }

    /** A 2025 client gets both requests before it answers either, as from the upstream directly. */
    @Test
    void a2025ClientIsAskedQuestionsSentTogetherAtOnce() throws Exception {
        Peregrine gateway = gateway("tcp");
        CountDownLatch both = new CountDownLatch(2);
        PeregrineClient client = fixture.connect(fixture.clientOf(gateway, "tcp", "2025-11-25")
                .onElicitation(params -> {
                    both.countDown();
                    boolean together = both.await(20, TimeUnit.SECONDS);
                    return Map.of("action", "accept", "content", Map.of("name",
                            params.get("message") + (together ? " together" : " alone")));
                }));

        assertThat(client.callTool("up_ask_two", Map.of()).text())
                .isEqualTo("first=First? together, second=Second? together");
    }

    /** "2025-11-25 tcp": the gateway's client's era, the upstream link's transport. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-07-28 tcp", "2026-07-28 http", "2025-11-25 tcp", "2025-11-25 http"})
    void anUpstreamToolSeesTheCapabilitiesOfTheClientThatCalled(String setup) throws Exception {
        String[] s = setup.split(" ");
        Peregrine gateway = gateway(s[1]);
        PeregrineClient bare = fixture.client(gateway, "tcp", s[0]);
        PeregrineClient formOnly = fixture.connect(fixture.clientOf(gateway, "tcp", s[0])
                .onElicitation(params -> Map.of(), true, false));
        PeregrineClient sampling = fixture.connect(fixture.clientOf(gateway, "tcp", s[0])
                .onSampling(params -> Map.of()).roots(Map.of("file:///work", "work")));

        // One upstream session serves all three; each call is seen with its own client's capabilities.
        assertThat(bare.callTool("up_features", Map.of()).text()).isEmpty();
        assertThat(formOnly.callTool("up_features", Map.of()).text()).isEqualTo("elicitation.form");
        assertThat(sampling.callTool("up_features", Map.of()).text()).isEqualTo("sampling,roots");

        assertThatThrownBy(() -> bare.callTool("up_needs_sampling", Map.of()))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY);
                    assertThat(e.data()).isEqualTo(Map.of("requiredCapabilities", Map.of("sampling", Map.of())));
                });
        assertThat(sampling.callTool("up_needs_sampling", Map.of()).text()).isEqualTo("Success");
    }

    @Test
    void aRequestCannotClaimMoreThanItsSessionDeclared() throws Exception {
        // Straight to the upstream, a 2025 session without sampling that names sampling for its caller.
        PeregrineClient client = fixture.connect(PeregrineClient.builder().protocolVersion("2025-11-25")
                .address(upstream.addresses().tcp()).onElicitation(params -> Map.of(), true, false));
        Map<String, Object> claimed = Map.of(ClientFeature.META_CALLER_CAPABILITIES,
                Map.of("sampling", Map.of(), "elicitation", Map.of("form", Map.of(), "url", Map.of())));

        assertThat(text(call(client, "features", Map.of("_meta", claimed)))).isEqualTo("elicitation.form");
        assertThat(text(call(client, "features", Map.of("_meta",
                Map.of(ClientFeature.META_CALLER_CAPABILITIES, Map.of()))))).isEmpty();
        assertThat(text(call(client, "features", Map.of()))).isEqualTo("elicitation.form");
    }

    /** "2026-07-28 2025-11-25": the gateway's client's era, the upstream's. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-07-28", "2025-11-25"})
    void anUpstreamSessionTheUpstreamForgotIsStartedAgainWithoutTheClientSeeingIt(String version) throws Exception {
        // Two upstream replicas sharing a session key: the second takes up a sealed id only while it is young.
        String key = "an upstream session key of some length";
        Duration maxAge = Duration.ofMillis(600);
        Peregrine first = fixture.closeLater(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create())
                .sessionKey(key).sessionMaxAge(maxAge).httpKeepAliveTimeout(Duration.ofMillis(200)).build());
        Peregrine second = fixture.closeLater(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create())
                .sessionKey(key).sessionMaxAge(maxAge).build());
        first.start();
        second.start();
        CuttableProxy proxy = fixture.closeLater(new CuttableProxy(first.addresses().http()));
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("up").url("http://127.0.0.1:" + proxy.port() + "/mcp")
                .protocolVersion("2025-11-25").build());
        PeregrineClient client = fixture.client(gateway, "tcp", version);
        assertThat(client.callTool("up_echo", Map.of("message", "first session")).text()).isEqualTo("first session");

        // The first replica closes the gateway's idle POST connections; the next call reaches the second,
        // which answers 404 for the session it no longer takes up.
        proxy.retarget(second.addresses().http());
        Thread.sleep(2 * maxAge.toMillis());
        assertThat(client.callTool("up_echo", Map.of("message", "past its age")).text()).isEqualTo("past its age");
    }
}

package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.Root;
import io.peregrine.tool.SamplingRequest;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an upstream asks of and tells the client during a forwarded call, relayed to the gateway's
 * client that made it, with real parts: an upstream Peregrine server in this process whose tools
 * elicit, sample, list roots and log, reached over TCP and Streamable HTTP in either era, a
 * gateway, and Java clients of both eras with handlers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayRelayTest {

    private static Peregrine upstream;
    private static volatile CountDownLatch holding = new CountDownLatch(2);
    /** Held by each {@code hold} call after its question, so that both questions come while both calls are in flight. */
    private static volatile CountDownLatch asked = new CountDownLatch(2);
    private static final AtomicInteger askNameRuns = new AtomicInteger();
    private static final AtomicInteger askBothRuns = new AtomicInteger();

    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(Tool.builder("ask_name").description("Asks the user's name").blocking(true)
                        .handler((args, ctx) -> {
                            askNameRuns.incrementAndGet();
                            try {
                                ElicitResult r = ctx.elicit(Elicitation.form("Your name?",
                                        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"));
                                return ToolResult.text(r.isAccepted() ? "hello " + r.string("name") : r.action().toString());
                            } catch (ClientRequestException e) {
                                return ToolResult.text("error " + e.code() + ": " + e.getMessage());
                            }
                        }).build())
                .tool(Tool.builder("ask_model").description("Samples the client's model").blocking(true)
                        .handler((args, ctx) -> {
                            try {
                                return ToolResult.text("model said " + ctx.sample(SamplingRequest.builder()
                                        .userText("What is 2+2?").maxTokens(10).build()).text());
                            } catch (ClientRequestException e) {
                                return ToolResult.text("error " + e.code() + ": " + e.getMessage());
                            }
                        }).build())
                .tool(Tool.builder("ask_both").description("Asks a name and the model at once").blocking(true)
                        .handler((args, ctx) -> {
                            askBothRuns.incrementAndGet();
                            List<Object> a = ctx.ask(Elicitation.form("Your name?",
                                    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"),
                                    SamplingRequest.builder().userText("What is 2+2?").maxTokens(10).build());
                            return ToolResult.text(((ElicitResult) a.get(0)).string("name") + " "
                                    + ((io.peregrine.tool.SamplingResult) a.get(1)).text());
                        }).build())
                .tool(Tool.builder("sample_bare").description("Samples, not catching a failure").blocking(true)
                        .handler((args, ctx) -> ToolResult.text(ctx.sample(SamplingRequest.builder()
                                .userText("What is 2+2?").maxTokens(10).build()).text())).build())
                .tool(Tool.builder("ask_roots").description("Lists the client's roots").blocking(true)
                        .handler((args, ctx) -> ToolResult.text(ctx.listRoots().stream().map(Root::uri)
                                .collect(Collectors.joining(",")))).build())
                .tool(Tool.builder("chatty").description("Logs at two levels").blocking(true)
                        .handler((args, ctx) -> {
                            ctx.log(LogLevel.DEBUG, "chatty", "noise");
                            ctx.log(LogLevel.INFO, "chatty", "step one");
                            return ToolResult.text("logged");
                        }).build())
                .tool(Tool.builder("hold").description("Waits for a second call, then asks a name").blocking(true)
                        .handler((args, ctx) -> {
                            holding.countDown();
                            holding.await(20, TimeUnit.SECONDS);
                            String text;
                            try {
                                ElicitResult r = ctx.elicit(Elicitation.form("Your name?",
                                        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"));
                                text = "hello " + r.string("name");
                            } catch (ClientRequestException e) {
                                text = "error " + e.code() + ": " + e.getMessage();
                            }
                            asked.countDown();
                            asked.await(20, TimeUnit.SECONDS);
                            return ToolResult.text(text);
                        }).build())
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

    /** A gateway whose one upstream, {@code up}, is reached over {@code transport} speaking {@code version}. */
    private Peregrine gateway(String transport, String version) throws InterruptedException {
        return gateway(transport, version, true);
    }

    /** {@code linkPerIoThread} false: every call on the endpoint's one link, whichever I/O thread serves its client. */
    private Peregrine gateway(String transport, String version, boolean linkPerIoThread) throws InterruptedException {
        String url = transport.equals("tcp") ? "tcp://127.0.0.1:" + upstream.addresses().tcp().getPort()
                : "http://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
        return fixture.gateway(UpstreamSpec.builder("up").url(url).protocolVersion(version)
                .linkPerIoThread(linkPerIoThread).build());
    }

    private PeregrineClient.Builder clientOf(Peregrine gateway, String version) {
        return fixture.clientOf(gateway, "tcp", version);
    }

    private static Map<String, Object> named(String name) {
        return Map.of("action", "accept", "content", Map.of("name", name));
    }

    /** "tcp 2025-11-25 2026-07-28": upstream transport, upstream era, the gateway's client's era. */
    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25 2025-11-25", "tcp 2025-11-25 2026-07-28", "http 2025-11-25 2025-11-25",
            "http 2025-11-25 2026-07-28", "tcp 2026-07-28 2025-11-25", "tcp 2026-07-28 2026-07-28",
            "http 2026-07-28 2025-11-25", "http 2026-07-28 2026-07-28"})
    void questionsReachTheClientAndItsAnswersTheUpstreamTool(String setup) throws Exception {
        String[] s = setup.split(" ");
        Peregrine gateway = gateway(s[0], s[1]);
        List<Object> logged = new CopyOnWriteArrayList<>();
        List<Map<String, Object>> asked = new CopyOnWriteArrayList<>();
        PeregrineClient client = fixture.connect(clientOf(gateway, s[2])
                .onElicitation(params -> {
                    asked.add(params);
                    return named("Ada");
                })
                .onSampling(params -> Map.of("role", "assistant", "model", "test-model",
                        "content", Map.of("type", "text", "text", "four")))
                .roots(Map.of("file:///work/project", "project"))
                .onNotification((method, params) -> {
                    if (method.equals("notifications/message")) {
                        logged.add(params.get("data"));
                    }
                }));

        int runs = askNameRuns.get();
        assertThat(client.callTool("up_ask_name", Map.of()).text()).isEqualTo("hello Ada");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).get("message")).isEqualTo("Your name?");
        assertThat(asked.get(0)).containsKey("requestedSchema");
        // A 2026-07-28 upstream runs its tool again with the answer; a 2026-07-28 client answers in a
        // second round of the gateway's, for which the call is forwarded anew.
        assertThat(askNameRuns.get() - runs).isEqualTo(1 + (s[1].equals("2026-07-28") ? 1 : 0)
                + (s[2].equals("2026-07-28") ? 1 : 0));

        assertThat(client.callTool("up_ask_model", Map.of()).text()).isEqualTo("model said four");
        assertThat(client.callTool("up_ask_roots", Map.of()).text()).isEqualTo("file:///work/project");

        client.setLoggingLevel("info");
        assertThat(client.callTool("up_chatty", Map.of()).text()).isEqualTo("logged");
        Await.until(() -> logged.contains("step one"), "the upstream's info message reaches the client");
        assertThat(logged).doesNotContain("noise");
    }

    /** A 2025 upstream's questions sent together become one input_required round of a 2026-07-28 client. */
    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25 2026-07-28", "http 2025-11-25 2026-07-28", "tcp 2025-11-25 2025-11-25"})
    void questionsAskedTogetherAreAskedTogether(String setup) throws Exception {
        String[] s = setup.split(" ");
        Peregrine gateway = gateway(s[0], s[1]);
        List<String> asked = new CopyOnWriteArrayList<>();
        PeregrineClient client = fixture.connect(clientOf(gateway, s[2])
                .onElicitation(params -> {
                    asked.add("elicitation");
                    return named("Ada");
                })
                .onSampling(params -> {
                    asked.add("sampling");
                    return Map.of("role", "assistant", "model", "test-model", "content", Map.of("type", "text", "text", "four"));
                }));
        for (int i = 0; i < 3; i++) {
            asked.clear();
            int runs = askBothRuns.get();
            assertThat(client.callTool("up_ask_both", Map.of()).text()).isEqualTo("Ada four");
            assertThat(asked).containsExactlyInAnyOrder("elicitation", "sampling");
            assertThat(askBothRuns.get() - runs).isEqualTo(s[2].equals("2026-07-28") ? 2 : 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25 2025-11-25", "tcp 2025-11-25 2026-07-28", "http 2025-11-25 2025-11-25",
            "http 2026-07-28 2026-07-28", "tcp 2026-07-28 2025-11-25"})
    void aClientWithoutTheCapabilityGivesTheUpstreamToolTheMatchingError(String setup) throws Exception {
        String[] s = setup.split(" ");
        Peregrine gateway = gateway(s[0], s[1]);
        PeregrineClient client = fixture.connect(clientOf(gateway, s[2]).onElicitation(params -> named("Ada")));

        // The call names its client's capabilities: the upstream's tool is refused before anything is
        // asked, in either upstream era, as for a direct client...
        assertThat(client.callTool("up_ask_model", Map.of()).text())
                .startsWith("error ").contains("needs the client capability sampling");
        // ...and a tool that does not catch it fails the call with -32021, as a direct server's would.
        assertThatThrownBy(() -> client.callTool("up_sample_bare", Map.of()))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY);
                    assertThat(e.getMessage()).contains("sampling");
                });
        assertThat(client.callTool("up_ask_name", Map.of()).text()).isEqualTo("hello Ada");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void concurrentCallsOnOneLink(String transport) throws Exception {
        holding = new CountDownLatch(2);
        asked = new CountDownLatch(2);
        Peregrine gateway = gateway(transport, "2025-11-25", false);
        PeregrineClient one = fixture.connect(clientOf(gateway, "2025-11-25").onElicitation(params -> named("one")));
        PeregrineClient two = fixture.connect(clientOf(gateway, "2025-11-25").onElicitation(params -> named("two")));

        PendingCall a = one.callToolAsync("up_hold", Map.of(), null);
        PendingCall b = two.callToolAsync("up_hold", Map.of(), null);
        String first = a.result().get(30, TimeUnit.SECONDS).text();
        String second = b.result().get(30, TimeUnit.SECONDS).text();
        if (transport.equals("http")) {
            // Each request came on its call's response stream: each reaches the client that made the call.
            assertThat(first).isEqualTo("hello one");
            assertThat(second).isEqualTo("hello two");
        } else {
            // Two calls in flight on one TCP link and nothing saying which asked: neither client is asked.
            for (String text : List.of(first, second)) {
                assertThat(text).startsWith("error " + JsonRpcError.INTERNAL_ERROR + ": ")
                        .contains("cannot tell which of its clients")
                        .contains("2 calls of the gateway's clients are in flight on this link");
            }
        }
        // Alone in flight again, a call's questions reach its client.
        assertThat(one.callTool("up_ask_name", Map.of()).text()).isEqualTo("hello one");
    }
}

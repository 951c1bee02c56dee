package io.peregrine.client;

import io.netty.util.concurrent.BlockingOperationException;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real server over a real socket, and against a scripted one where the server must misbehave. */
class PeregrineClientTest {

    private static final long WAIT_SECONDS = 10;
    private static final int EXTRA_TOOLS = 7;

    /** How each tagged run of {@code slow} ended on the server: "interrupted" or "cancelled". */
    private static final Map<String, CompletableFuture<String>> STOPPED = new ConcurrentHashMap<>();

    private static Peregrine server;
    private static InetSocketAddress address;

    @BeforeAll
    static void startServer() throws Exception {
        Peregrine.Builder b = Peregrine.builder()
                .tcp("127.0.0.1", 0)
                .pageSize(2)
                .maxConcurrency(128)
                .tool(EchoTool.create())
                .tool(slow())
                .tool(delayedEcho())
                .tool(whoami())
                .tool(sum())
                .tool(refuse());
        for (int i = 0; i < EXTRA_TOOLS; i++) {
            String name = "extra" + i;
            b.tool(Tool.builder(name).blocking(false).handler((args, ctx) -> ToolResult.text(name)).build());
        }
        server = b.build();
        address = server.start().tcp();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    // ------------------------------------------------------------------ tools

    /**
     * Takes {@code steps} steps of {@code stepMillis}, reporting progress after each; records under
     * {@code tag} how it was stopped.
     */
    private static Tool slow() {
        return Tool.builder("slow")
                .blocking(true)
                .timeout(Duration.ofSeconds(30))
                .handler((args, ctx) -> {
                    long steps = args.integer("steps", 4);
                    long stepMillis = args.integer("stepMillis", 20);
                    String tag = args.string("tag", "untagged");
                    for (int i = 1; i <= steps; i++) {
                        try {
                            Thread.sleep(stepMillis);
                        } catch (InterruptedException e) {
                            stopped(tag).complete("interrupted");
                            throw e;
                        }
                        if (ctx.isCancelled()) {
                            stopped(tag).complete("cancelled");
                            return ToolResult.text("cancelled");
                        }
                        ctx.progress(i, (double) steps, "step " + i);
                    }
                    return ToolResult.text("done after " + steps + " steps");
                })
                .build();
    }

    private static CompletableFuture<String> stopped(String tag) {
        return STOPPED.computeIfAbsent(tag, t -> new CompletableFuture<>());
    }

    /** Answers after {@code millis}, so that answers overtake each other. */
    private static Tool delayedEcho() {
        return Tool.builder("delayed_echo")
                .blocking(true)
                .handler((args, ctx) -> {
                    Thread.sleep(args.integer("millis", 0));
                    return ToolResult.text(args.string("message") + " to " + ctx.requestId());
                })
                .build();
    }

    /** What the server learned about this client, whichever era told it. */
    private static Tool whoami() {
        return Tool.builder("whoami")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text(ctx.protocolVersion() + " " + ctx.clientInfo().get("name")
                        + " " + ctx.clientInfo().get("version")))
                .build();
    }

    private static Tool sum() {
        return Tool.builder("sum")
                .blocking(false)
                .handler((args, ctx) -> {
                    long total = args.integer("a") + args.integer("b");
                    return ToolResult.builder().text(Long.toString(total)).structured(Map.of("sum", total)).build();
                })
                .build();
    }

    private static Tool refuse() {
        return Tool.builder("refuse")
                .blocking(false)
                .handler((args, ctx) -> {
                    throw new ToolException("the departure date is in the past");
                })
                .build();
    }

    private static PeregrineClient.Builder client() {
        return PeregrineClient.builder().address(address);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object tree) {
        assertThat(tree).isInstanceOf(Map.class);
        return (Map<String, Object>) tree;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object tree) {
        assertThat(tree).isInstanceOf(List.class);
        return (List<Object>) tree;
    }

    // ------------------------------------------------------------------ both eras

    @ParameterizedTest
    @ValueSource(strings = {"2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"})
    void connectsAndCallsToolsInEitherEra(String version) throws Exception {
        try (PeregrineClient client = client().protocolVersion(version).clientInfo("test-client", "1.2.3").connect()) {
            assertThat(client.negotiatedVersion()).isEqualTo(version);
            assertThat(client.isConnected()).isTrue();
            // Over the handshake or in every request's _meta, the server learns the same things.
            assertThat(client.callTool("whoami", null).text()).isEqualTo(version + " test-client 1.2.3");
            assertThat(client.callTool("echo", Map.of("message", "héllo")).text()).isEqualTo("héllo");
        }
    }

    @Test
    void handshakeRecordsWhatTheServerSaid() throws Exception {
        try (PeregrineClient client = client().connect()) {
            assertThat(client.negotiatedVersion()).isEqualTo("2025-11-25");
            assertThat(client.serverInfo()).containsEntry("name", "peregrine").containsKey("version");
            assertThat(client.serverCapabilities()).containsKey("tools");
        }
    }

    @Test
    void statelessEraNeedsNoHandshake() throws Exception {
        try (PeregrineClient client = client().protocolVersion("2026-07-28").connect()) {
            assertThat(client.serverInfo()).isEmpty();
            assertThat(client.serverCapabilities()).isEmpty();
            assertThat(client.request("tools/list", null).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .containsEntry("resultType", "complete");
            // 2026-07-28 removed ping along with the handshake.
            assertThatThrownBy(() -> client.request("ping", null).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(McpClientException.class).hasMessageContaining("-32601");
            Map<String, Object> discovered = client.discover();
            assertThat(list(discovered.get("supportedVersions"))).contains("2026-07-28", "2025-11-25");
            assertThat(discovered).containsKey("capabilities");
        }
    }

    // ------------------------------------------------------------------ tools

    @Test
    void listToolsFollowsEveryPage() throws Exception {
        List<String> expected = new ArrayList<>(List.of("delayed_echo", "echo", "refuse", "slow", "sum", "whoami"));
        IntStream.range(0, EXTRA_TOOLS).forEach(i -> expected.add("extra" + i));
        expected.sort(null);
        try (PeregrineClient client = client().connect()) {
            Map<String, Object> firstPage = client.request("tools/list", null).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(list(firstPage.get("tools"))).hasSize(2);
            assertThat(firstPage).containsKey("nextCursor");

            List<Map<String, Object>> tools = client.listTools();
            assertThat(tools).extracting(t -> t.get("name")).containsExactlyElementsOf(expected);
            assertThat(tools).filteredOn(t -> "echo".equals(t.get("name")))
                    .singleElement().satisfies(echo -> assertThat(echo).containsKeys("description", "inputSchema"));
        }
    }

    @Test
    void callToolReturnsTheResult() throws Exception {
        try (PeregrineClient client = client().connect()) {
            CallToolResult echo = client.callTool("echo", Map.of("message", "hi"));
            assertThat(echo.isError()).isFalse();
            assertThat(echo.content()).singleElement()
                    .satisfies(item -> assertThat(item).containsEntry("type", "text").containsEntry("text", "hi"));
            assertThat(echo.structuredContent()).isNull();

            CallToolResult sum = client.callTool("sum", Map.of("a", 2, "b", 3));
            assertThat(sum.text()).isEqualTo("5");
            assertThat(sum.structuredContent()).containsEntry("sum", 5L);

            CallToolResult refused = client.callTool("refuse", Map.of());
            assertThat(refused.isError()).isTrue();
            assertThat(refused.text()).isEqualTo("the departure date is in the past");
        }
    }

    @Test
    void protocolErrorsFailWithTheServersCodeMessageAndData() throws Exception {
        try (PeregrineClient client = client().connect()) {
            assertThatExceptionOfType(McpClientException.class).isThrownBy(() -> client.callTool("nope", Map.of()))
                    .withMessage("Unknown tool: nope")
                    .satisfies(e -> assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS))
                    .satisfies(e -> assertThat(e).hasToString(McpClientException.class.getName()
                            + ": Unknown tool: nope (InvalidParams, code -32602)"));

            assertThatThrownBy(() -> client.request("nope/nope", null).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(McpClientException.class,
                            e -> assertThat(e.code()).isEqualTo(JsonRpcError.METHOD_NOT_FOUND));

            // _meta the caller sets is sent as it is: here, a version no server speaks.
            Map<String, Object> params = Map.of("_meta", Map.of("io.modelcontextprotocol/protocolVersion", "1999-01-01"));
            assertThatThrownBy(() -> client.request("tools/list", params).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION);
                        assertThat(map(e.data())).containsEntry("requested", "1999-01-01").containsKey("supported");
                    });

            // The connection survives its errors.
            client.ping();
        }
    }

    // ------------------------------------------------------------------ progress and cancellation

    @Test
    void progressReachesTheListenerBeforeTheResult() throws Exception {
        List<String> progress = new CopyOnWriteArrayList<>();
        List<String> notifications = new CopyOnWriteArrayList<>();
        try (PeregrineClient client = client().onNotification((method, params) -> notifications.add(method)).connect()) {
            PendingCall call = client.callToolAsync("slow", Map.of("steps", 4, "stepMillis", 10),
                    (done, total, message) -> progress.add(done + "/" + total + " " + message));
            assertThat(call.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("done after 4 steps");
            assertThat(progress).containsExactly("1.0/4.0 step 1", "2.0/4.0 step 2", "3.0/4.0 step 3", "4.0/4.0 step 4");
            assertThat(notifications).containsOnly("notifications/progress").hasSize(4);
        }
    }

    @Test
    void progressWorksInTheStatelessEraToo() throws Exception {
        List<Double> progress = new CopyOnWriteArrayList<>();
        try (PeregrineClient client = client().protocolVersion("2026-07-28").connect()) {
            PendingCall call = client.callToolAsync("slow", Map.of("steps", 3, "stepMillis", 10),
                    (done, total, message) -> progress.add(done));
            assertThat(call.result().get(WAIT_SECONDS, TimeUnit.SECONDS).isError()).isFalse();
            assertThat(progress).containsExactly(1.0, 2.0, 3.0);
        }
    }

    @Test
    void cancellingStopsTheToolOnTheServer() throws Exception {
        try (PeregrineClient client = client().connect()) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall call = client.callToolAsync("slow", Map.of("steps", 10_000, "stepMillis", 10, "tag", "cancel"),
                    (done, total, message) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(client.cancel(call, "changed my mind")).isTrue();

            assertThat(call.result()).isCancelled();
            assertThatThrownBy(() -> call.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(CancellationException.class);
            assertThat(stopped("cancel").get(WAIT_SECONDS, TimeUnit.SECONDS)).isIn("interrupted", "cancelled");
            assertThat(call.cancel("again")).isFalse();
            assertThat(client.pendingRequests()).isZero();
            assertThat(client.callTool("echo", Map.of("message", "after")).text()).isEqualTo("after");
        }
    }

    @Test
    void cancellingTheFutureAlsoStopsTheTool() throws Exception {
        try (PeregrineClient client = client().connect()) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall call = client.callToolAsync("slow",
                    Map.of("steps", 10_000, "stepMillis", 10, "tag", "future-cancel"),
                    (done, total, message) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);

            call.result().cancel(true);

            assertThat(stopped("future-cancel").get(WAIT_SECONDS, TimeUnit.SECONDS)).isIn("interrupted", "cancelled");
            assertThat(client.pendingRequests()).isZero();
        }
    }

    @Test
    void requestsTimeOutAndTheServerIsTold() throws Exception {
        try (PeregrineClient client = client().requestTimeout(Duration.ofMillis(300)).connect()) {
            assertThatExceptionOfType(McpClientException.class)
                    .isThrownBy(() -> client.callTool("slow", Map.of("steps", 10_000, "stepMillis", 10, "tag", "timeout")))
                    .withMessageMatching("tools/call \\(id \\d+\\) timed out after 300 ms")
                    .withCauseInstanceOf(TimeoutException.class)
                    .satisfies(e -> assertThat(e.code()).isEqualTo(McpClientException.LOCAL));
            assertThat(stopped("timeout").get(WAIT_SECONDS, TimeUnit.SECONDS)).isIn("interrupted", "cancelled");
            assertThat(client.pendingRequests()).isZero();
            assertThat(client.callTool("echo", Map.of("message", "still here")).text()).isEqualTo("still here");
        }
    }

    // ------------------------------------------------------------------ correlation

    @Test
    void concurrentCallsFromManyThreadsCorrelate() throws Exception {
        int calls = 100;
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (PeregrineClient client = client().connect()) {
            List<Future<PendingCall>> sent = new ArrayList<>();
            Set<Long> ids = new HashSet<>();
            for (int i = 0; i < calls; i++) {
                // Later calls answer sooner, so that answers come back out of order.
                Map<String, Object> args = Map.of("message", "m" + i, "millis", (calls - i) % 20);
                sent.add(callers.submit(() -> client.callToolAsync("delayed_echo", args, null)));
            }
            for (int i = 0; i < calls; i++) {
                PendingCall call = sent.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
                ids.add(call.id());
                assertThat(call.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("m" + i + " to " + call.id());
            }
            assertThat(ids).hasSize(calls);
            assertThat(client.pendingRequests()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ losing the server

    @Test
    void closingTheServerFailsPendingCalls() throws Exception {
        Peregrine doomed = Peregrine.builder().tcp("127.0.0.1", 0).tool(slow()).drainTimeout(Duration.ZERO).build();
        InetSocketAddress doomedAddress = doomed.start().tcp();
        try (PeregrineClient client = PeregrineClient.builder().address(doomedAddress).connect()) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall call = client.callToolAsync("slow", Map.of("steps", 10_000, "stepMillis", 10),
                    (done, total, message) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);

            doomed.close();

            assertThatThrownBy(() -> call.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(McpClientException.class);
            assertThatThrownBy(client::ping).isInstanceOf(McpClientException.class);
            assertThat(client.isConnected()).isFalse();
        } finally {
            doomed.close();
        }
    }

    @Test
    void losingTheConnectionFailsEveryPendingRequest() throws Exception {
        try (ScriptedServer scripted = new ScriptedServer();
             PeregrineClient client = scripted.statelessClient().connect()) {
            scripted.accept();
            List<CompletableFuture<Map<String, Object>>> requests = List.of(
                    client.request("ping", null), client.request("tools/list", null), client.request("server/discover", null));
            for (int i = 0; i < requests.size(); i++) {
                scripted.read();
            }
            scripted.disconnect();

            for (CompletableFuture<Map<String, Object>> request : requests) {
                assertThatThrownBy(() -> request.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(McpClientException.class)
                        .hasMessageContaining("was lost before the response to")
                        .hasCauseInstanceOf(ClosedChannelException.class);
            }
            assertThat(client.isConnected()).isFalse();
            assertThat(client.pendingRequests()).isZero();
            assertThatThrownBy(client::ping).isInstanceOf(McpClientException.class)
                    .hasMessageMatching("cannot send (ping|server/discover) \\(id \\d+\\): the connection to .* is closed");
        }
    }

    @Test
    void closingTheClientFailsPendingRequests() throws Exception {
        PeregrineClient client = client().connect();
        CompletableFuture<Void> started = new CompletableFuture<>();
        PendingCall call = client.callToolAsync("slow", Map.of("steps", 10_000, "stepMillis", 10),
                (done, total, message) -> started.complete(null));
        started.get(WAIT_SECONDS, TimeUnit.SECONDS);

        client.close();
        client.close();

        assertThatThrownBy(() -> call.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(McpClientException.class)
                .hasMessageMatching("the client was closed before the response to tools/call \\(id \\d+\\) arrived");
        assertThatThrownBy(() -> client.request("ping", null).get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .hasMessageEndingWith("the client is closed");
    }

    @Test
    void aResponseLongerThanTheLimitFailsThePendingRequests() throws Exception {
        try (PeregrineClient client = client().maxLineLength(1024).connect()) {
            assertThatThrownBy(() -> client.callTool("echo", Map.of("message", "x".repeat(4096))))
                    .isInstanceOf(McpClientException.class)
                    .hasMessageContaining("the server sent a message longer than maxLineLength (1024 bytes)");
            assertThat(client.isConnected()).isFalse();
        }
    }

    // ------------------------------------------------------------------ what the server sends unasked

    @Test
    void answersRequestsFromTheServer() throws Exception {
        try (ScriptedServer scripted = new ScriptedServer();
             PeregrineClient client = scripted.statelessClient().connect()) {
            scripted.accept();

            scripted.send("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"ping\"}");
            assertThat(scripted.read()).isEqualTo(JsonTree.parse("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{}}"));

            scripted.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"sampling/createMessage\",\"params\":{}}");
            Map<String, Object> refused = scripted.read();
            assertThat(refused).containsEntry("id", 2L);
            assertThat(map(refused.get("error"))).containsEntry("code", (long) JsonRpcError.METHOD_NOT_FOUND);
        }
    }

    @Test
    void deliversNotificationsAndDropsResponsesToUnknownIds() throws Exception {
        List<String> notifications = new CopyOnWriteArrayList<>();
        try (ScriptedServer scripted = new ScriptedServer();
             PeregrineClient client = scripted.statelessClient()
                     .onNotification((method, params) -> notifications.add(method + " " + params.get("data")))
                     .connect()) {
            scripted.accept();
            CompletableFuture<Map<String, Object>> list = client.request("tools/list", null);
            Map<String, Object> request = scripted.read();
            Map<String, Object> meta = map(map(request.get("params")).get("_meta"));
            assertThat(meta).containsEntry("io.modelcontextprotocol/protocolVersion", "2026-07-28")
                    .containsKeys("io.modelcontextprotocol/clientCapabilities", "io.modelcontextprotocol/clientInfo");

            scripted.send("{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{\"tools\":[\"wrong\"]}}");
            scripted.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"hello\"}}");
            scripted.send("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"tools\":[]}}");

            assertThat(list.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Map.of("tools", List.of()));
            assertThat(notifications).containsExactly("notifications/message hello");
        }
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void blockingOnTheIoThreadIsRefused() throws Exception {
        try (PeregrineClient client = client().connect()) {
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            // Listeners run on the I/O thread, which would wait on itself.
            PendingCall call = client.callToolAsync("slow", Map.of("steps", 1, "stepMillis", 1), (done, total, message) -> {
                try {
                    client.ping();
                    refused.complete(null);
                } catch (RuntimeException e) {
                    refused.complete(e);
                }
            });
            assertThat(refused.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(BlockingOperationException.class);
            call.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(client.pendingRequests()).isZero();
        }
    }

    @Test
    void paramsThatAreNotJsonAreRefusedBeforeSending() throws Exception {
        try (PeregrineClient client = client().connect()) {
            assertThatThrownBy(() -> client.request("tools/list", Map.of("cursor", new Object())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON tree value");
            assertThat(client.pendingRequests()).isZero();
            client.ping();
        }
    }

    @Test
    void builderRejectsBadSettings() {
        PeregrineClient.Builder b = PeregrineClient.builder();
        assertThatThrownBy(() -> b.requestTimeout(Duration.ZERO)).hasMessage("timeout : PT0S (expected: > 0)");
        assertThatThrownBy(() -> b.maxLineLength(0)).hasMessage("maxLineLength : 0 (expected: > 0)");
        assertThatThrownBy(() -> b.tcp("localhost", 65536)).hasMessage("port : 65536 (expected: 1-65535)");
        assertThatThrownBy(() -> b.protocolVersion("2024-11-05"))
                .hasMessage("protocolVersion : 2024-11-05 (expected: one of [2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26])");
        assertThatThrownBy(b::connect).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void connectingToNothingFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> PeregrineClient.builder().tcp("127.0.0.1", port).connect())
                .isInstanceOf(IOException.class);
    }

    @Test
    void aStatelessCallSendsItsMetaAgainAsGivenUnlessHandedOver() throws Exception {
        try (ScriptedServer scripted = new ScriptedServer();
             PeregrineClient client = scripted.statelessClient()
                     .onElicitation(p -> Map.of("action", "accept", "content", Map.of("name", "Ada"))).connect()) {
            scripted.accept();
            Map<String, Object> copied = new java.util.LinkedHashMap<>(Map.of("trace", "first"));
            Map<String, Object> handedOver = new HandedOverMeta(1);
            handedOver.put("trace", "first");
            for (Map<String, Object> meta : List.of(copied, handedOver)) {
                PendingCall call = client.callToolAsync("greet", Map.of(), null, meta);
                meta.put("trace", "changed"); // after the call was made
                Map<String, Object> first = scripted.read();
                assertThat(map(map(first.get("params")).get("_meta"))).containsEntry("trace", "first");
                scripted.send("{\"jsonrpc\":\"2.0\",\"id\":" + first.get("id") + ",\"result\":{\"resultType\":"
                        + "\"input_required\",\"inputRequests\":{\"q\":{\"method\":\"elicitation/create\",\"params\":"
                        + "{\"mode\":\"form\",\"message\":\"name?\",\"requestedSchema\":{\"type\":\"object\"}}}},"
                        + "\"requestState\":\"s1\"}}");
                Map<String, Object> second = scripted.read();
                assertThat(map(second.get("params"))).containsEntry("requestState", "s1").containsKey("inputResponses");
                // A copy keeps what the caller gave; a map handed over is the caller's promise not to change it.
                assertThat(map(map(second.get("params")).get("_meta")))
                        .containsEntry("trace", meta == copied ? "first" : "changed");
                scripted.send("{\"jsonrpc\":\"2.0\",\"id\":" + second.get("id") + ",\"result\":{\"resultType\":"
                        + "\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"hi Ada\"}]}}");
                assertThat(call.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("hi Ada");
            }
        }
    }

    /**
     * A server that says exactly what the test tells it to, for what a well-behaved server never
     * does. Every read is bounded.
     */
    private static final class ScriptedServer implements AutoCloseable {

        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        ScriptedServer() throws IOException {
            listener.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }

        /** A client that needs no handshake, so that connecting does not wait on the script. */
        PeregrineClient.Builder statelessClient() {
            return PeregrineClient.builder()
                    .address(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()))
                    .protocolVersion("2026-07-28")
                    .requestTimeout(Duration.ofSeconds(WAIT_SECONDS));
        }

        void accept() throws IOException {
            socket = listener.accept();
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> read() throws IOException {
            String line = in.readLine();
            assertThat(line).as("a line from the client").isNotNull();
            return (Map<String, Object>) JsonTree.parse(line);
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void disconnect() throws IOException {
            socket.close();
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
            listener.close();
        }
    }
}

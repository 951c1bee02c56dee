package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client against a real Peregrine on every transport (TCP, WebSocket, Streamable HTTP, stdio
 * with the server as a child process) and in both eras (pinned 2025-11-25 and 2026-07-28, and
 * negotiated): the same calls, the same typed results.
 */
class ClientTransportSuiteTest {

    private static final long WAIT_SECONDS = 60;

    private static Peregrine server;
    private static Peregrine.BoundAddresses addresses;

    @BeforeAll
    static void start() throws Exception {
        server = ClientKitServer.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).build();
        addresses = server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A transport and an era; {@code version} null means negotiated. */
    record Setup(String transport, String version) {
        @Override
        public String toString() {
            return transport + " " + (version != null ? version : "negotiated");
        }

        PeregrineClient.Builder client() {
            PeregrineClient.Builder b = PeregrineClient.builder().requestTimeout(Duration.ofSeconds(WAIT_SECONDS));
            switch (transport) {
                case "tcp":
                    b.address(addresses.tcp());
                    break;
                case "ws":
                    b.url("ws://127.0.0.1:" + addresses.http().getPort() + "/mcp");
                    break;
                case "http":
                    b.url("http://127.0.0.1:" + addresses.http().getPort() + "/mcp");
                    break;
                default:
                    b.stdio(ClientKitServer.stdioCommand());
                    break;
            }
            if (version != null) {
                b.protocolVersion(version);
            } else {
                b.negotiateProtocolVersion();
            }
            return b;
        }

        boolean inProcess() {
            return !transport.equals("stdio");
        }
    }

    static Stream<Setup> setups() {
        List<Setup> all = new ArrayList<>();
        for (String t : List.of("tcp", "ws", "http", "stdio")) {
            all.add(new Setup(t, "2025-11-25"));
            all.add(new Setup(t, "2026-07-28"));
        }
        all.add(new Setup("http", null));
        all.add(new Setup("tcp", null));
        return all.stream();
    }

    private static PeregrineClient.Builder answering(Setup s, List<String> asked) {
        return s.client()
                .onElicitation(params -> {
                    asked.add("elicitation:" + params.get("message"));
                    return Map.of("action", "accept", "content", Map.of("name", "Ada", "color", "green"));
                })
                .onSampling(params -> {
                    asked.add("sampling");
                    return Map.of("role", "assistant", "content", Map.of("type", "text", "text", "Paris"), "model", "m1");
                })
                .roots(Map.of("file:///work", "work"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void listsAndCallsToolsWithTypedResults(Setup s) throws Exception {
        try (PeregrineClient c = s.client().connect()) {
            assertThat(c.negotiatedVersion()).isEqualTo(s.version() != null ? s.version() : "2026-07-28");
            List<ToolInfo> tools = c.tools();
            assertThat(tools).extracting(ToolInfo::name).contains("echo", "slow", "chatty", "ask_name");
            assertThat(tools).filteredOn(t -> t.name().equals("slow")).singleElement()
                    .satisfies(t -> assertThat(t.inputSchema()).containsKey("properties"));
            Page<ToolInfo> first = c.listToolsPage(null).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(first.items()).hasSize(2);
            assertThat(first.nextCursor()).isNotNull();
            assertThat(c.listToolsPage(first.nextCursor()).get(WAIT_SECONDS, TimeUnit.SECONDS).items()).hasSize(2);
            assertThat(c.callTool("echo", Map.of("message", "héllo wörld")).text()).isEqualTo("héllo wörld");
            c.ping();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void progressReachesTheListenerAndCancellingStopsTheCall(Setup s) throws Exception {
        try (PeregrineClient c = s.client().connect()) {
            List<Double> progress = new CopyOnWriteArrayList<>();
            PendingCall done = c.callToolAsync("slow", Map.of("millis", 40, "steps", 4), (p, total, m) -> progress.add(p));
            assertThat(done.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("slept 40");
            assertThat(progress).containsExactly(1.0, 2.0, 3.0, 4.0);

            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall long_ = c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000),
                    (p, total, m) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(long_.cancel("changed my mind")).isTrue();
            assertThat(long_.result()).isCancelled();
            if (s.inProcess()) {
                awaitNoCallsInFlight();
            }
            assertThat(c.callTool("echo", Map.of("message", "after")).text()).isEqualTo("after");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aTimedOutRequestFailsNamingItAndTheServerStops(Setup s) throws Exception {
        // A child JVM answers its first calls slowly: its timeout leaves room for that.
        long timeout = s.inProcess() ? 500 : 15_000;
        try (PeregrineClient c = s.client().requestTimeout(Duration.ofMillis(timeout)).connect()) {
            assertThatThrownBy(() -> c.callTool("slow", Map.of("millis", 60_000, "steps", 6000)))
                    .isInstanceOf(McpClientException.class)
                    .hasMessageMatching("tools/call \\(id \\d+\\) timed out after " + timeout + " ms");
            if (s.inProcess()) {
                awaitNoCallsInFlight();
            }
            assertThat(c.callTool("echo", Map.of("message", "still here")).text()).isEqualTo("still here");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void namesThatAreNotAsciiAndMarkedParametersTravelInHeaders(Setup s) throws Exception {
        try (PeregrineClient c = s.client().connect()) {
            // Over HTTP in 2026-07-28: Mcp-Name carries the URI in its base64 form, and the tool's
            // x-mcp-header parameter goes in Mcp-Param-Region, also encoded; the server checks both.
            assertThat(c.readResource("test://items/naïve").get(0).text()).isEqualTo("item naïve");
            assertThat(c.callTool("regional", Map.of("region", "Zürich", "query", "weather")).text())
                    .isEqualTo("Zürich: weather");
            assertThat(c.callTool("regional", Map.of("region", "us-west1")).text()).isEqualTo("us-west1: ");
            // Arguments given as JSON text are read for the header, and sent as they are.
            assertThat(c.callToolAsync("regional", RawJson.of("{\"region\":\"Zürich\",\"query\":\"rain\"}"), null, null,
                    null).result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("Zürich: rain");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readsResourcesAndTemplates(Setup s) throws Exception {
        try (PeregrineClient c = s.client().connect()) {
            assertThat(c.resources()).extracting(ResourceInfo::uri)
                    .contains("test://static/hello", "test://static/blob");
            assertThat(c.resourceTemplates()).extracting(ResourceTemplateInfo::uriTemplate).containsExactly("test://items/{id}");
            assertThat(c.readResource("test://static/hello")).singleElement()
                    .satisfies(r -> assertThat(r.text()).isEqualTo("hello world"));
            assertThat(c.readResource("test://static/blob").get(0).bytes()).containsExactly(1, 2, 3);
            assertThat(c.readResource("test://items/pear").get(0).text()).isEqualTo("item pear");
            assertThat(c.complete(CompletionRef.resourceTemplate("test://items/{id}"), "id", "ap", null).values())
                    .containsExactly("apple", "apricot");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void getsAndCompletesPrompts(Setup s) throws Exception {
        try (PeregrineClient c = s.client().connect()) {
            assertThat(c.prompts()).extracting(PromptInfo::name).contains("greet");
            PromptResult greet = c.getPrompt("greet", Map.of("name", "Ada", "style", "formal"));
            assertThat(greet.messages()).extracting(PromptResult.Message::text)
                    .containsExactly("Please greet Ada in a formal way.", "Hello, Ada!");
            assertThat(c.complete(CompletionRef.prompt("greet"), "style", "f", Map.of("name", "Ada")).values())
                    .containsExactly("formal");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void theClientAnswersElicitationSamplingAndRoots(Setup s) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = answering(s, asked).connect()) {
            assertThat(c.callTool("ask_name", Map.of()).text()).isEqualTo("Hello, Ada!");
            assertThat(c.callTool("sample", Map.of()).text()).isEqualTo("m1 says Paris");
            assertThat(c.callTool("roots", Map.of()).text()).isEqualTo("file:///work");
            assertThat(c.callTool("two_steps", Map.of()).text()).isEqualTo("Ada likes green");
            assertThat(asked).contains("elicitation:What is your name?", "sampling");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void logMessagesArriveAtTheChosenLevel(Setup s) throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = s.client().onNotification((m, p) -> {
            if (m.equals("notifications/message")) {
                logged.add(String.valueOf(p.get("level")));
            }
        }).connect()) {
            c.setLoggingLevel("info");
            assertThat(c.callTool("chatty", Map.of()).text()).isEqualTo("logged");
            assertThat(logged).containsExactly("info", "warning");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void argumentsAreValidatedBeforeTheyLeave(Setup s) throws Exception {
        try (PeregrineClient c = s.client().validateArguments(true).connect()) {
            c.tools();
            // In 2026-07-28 the catalog keeps a subscriptions/listen open: it is pending for good.
            int pendingBefore = c.pendingRequests();
            assertThatThrownBy(() -> c.callTool("slow", Map.of("millis", "soon")))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(-32602);
                        assertThat(e.getMessage()).startsWith("Invalid arguments for tool slow: ")
                                .contains("millis").contains("integer");
                    });
            assertThat(c.pendingRequests()).isEqualTo(pendingBefore);
            assertThat(c.callToolAsync("slow", RawJson.of("{\"millis\":\"soon\"}"), null, null, null).result())
                    .failsWithin(WAIT_SECONDS, TimeUnit.SECONDS).withThrowableThat().havingCause()
                    .isInstanceOf(McpClientException.class).withMessageStartingWith("Invalid arguments for tool slow: ");
            assertThat(c.callTool("slow", Map.of("millis", 4)).text()).isEqualTo("slept 4");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void theCatalogIsRefreshedWhenTheServerChangesIt(Setup s) throws Exception {
        assumeTrue(s.inProcess(), "the child's tools cannot be changed from here");
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        String name = "added_" + s.transport() + "_" + (s.version() == null ? "neg" : s.version().substring(0, 4));
        try (PeregrineClient c = s.client().onCatalogChange((kind, items) -> {
            if (kind == CatalogListener.Kind.TOOLS) {
                List<String> names = new ArrayList<>();
                items.forEach(t -> names.add(((ToolInfo) t).name()));
                seen.add(names);
            }
        }).connect()) {
            assertThat(c.tools()).extracting(ToolInfo::name).doesNotContain(name);
            awaitUnaskedMessages(s, seen);
            server.tools().add(Tool.builder(name).blocking(false).handler((a, ctx) -> ToolResult.text("new")).build());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                while (seen.stream().noneMatch(l -> l.contains(name)) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(seen).anySatisfy(l -> assertThat(l).contains(name));
                assertThat(c.tools()).extracting(ToolInfo::name).contains(name);
            } finally {
                server.tools().remove(name);
            }
        }
    }

    /**
     * What tells the client of changes opens while it goes on: over Streamable HTTP in a 2025
     * revision the session's GET stream, in 2026-07-28 the catalog's {@code subscriptions/listen};
     * a change made before the server has it is not sent. Probe changes are made until one is heard.
     */
    private static void awaitUnaskedMessages(Setup s, List<List<String>> seen) throws InterruptedException {
        String probe = "probe_" + s.transport() + "_" + (s.version() == null ? "neg" : s.version().substring(0, 4));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (seen.stream().noneMatch(l -> l.contains(probe)) && System.nanoTime() < deadline) {
            server.tools().add(Tool.builder(probe).blocking(false).handler((a, ctx) -> ToolResult.text("probe")).build());
            Thread.sleep(100);
            server.tools().remove(probe);
            Thread.sleep(100);
        }
        assertThat(seen).as("a list change heard on the GET stream").anySatisfy(l -> assertThat(l).contains(probe));
    }

    private static void awaitNoCallsInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (server.core().callsInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.core().callsInFlight()).as("calls still running on the server").isZero();
    }
}

package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.ResourceContents;
import io.peregrine.client.ToolInfo;
import io.peregrine.config.ConfigException;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.testing.TestContent;
import io.peregrine.testing.TestTools;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway with real parts: one upstream Peregrine server in this process reached three times,
 * over TCP, WebSocket and Streamable HTTP (three upstreams with their own prefixes), and clients of
 * both eras through the gateway's TCP and HTTP listeners.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayFederationTest {

    private static Peregrine upstream;
    private static volatile CountDownLatch gateEntered = new CountDownLatch(1);
    private static volatile CountDownLatch gateCancelled = new CountDownLatch(1);

    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void startUpstream() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).pageSize(2)
                .tool(EchoTool.create())
                .tool(TestTools.slow())
                .tool(Tool.builder("gate").description("Waits until cancelled").blocking(true)
                        .timeout(Duration.ofSeconds(60))
                        .handler((args, ctx) -> {
                            gateEntered.countDown();
                            try {
                                Thread.sleep(30_000);
                            } catch (InterruptedException e) {
                                gateCancelled.countDown();
                                throw e;
                            }
                            return ToolResult.text("opened");
                        }).build())
                .tool(Tool.builder("fs.read.all").description("A name that is not a valid function name")
                        .handler((args, ctx) -> ToolResult.text("dots")).build())
                .resourceTemplate(TestContent.items())
                .prompt(TestContent.greet());
        TestContent.resources().forEach(b::resource);
        upstream = b.build();
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

    private static String tcpUrl() {
        return "tcp://127.0.0.1:" + upstream.addresses().tcp().getPort();
    }

    private static String wsUrl() {
        return "ws://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
    }

    private static String httpUrl() {
        return "http://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
    }

    private Peregrine threeTransports() throws InterruptedException {
        // One server reached three times: the tcp upstream keeps its resource URIs, the others mark theirs.
        return fixture.gateway(UpstreamSpec.builder("tcp").url(tcpUrl()).build(),
                UpstreamSpec.builder("ws").url(wsUrl()).resourceUris(ResourceUriMode.REWRITE).build(),
                UpstreamSpec.builder("http").url(httpUrl()).protocolVersion("2025-11-25")
                        .resourceUris(ResourceUriMode.REWRITE).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25", "tcp 2026-07-28", "http 2025-11-25", "http 2026-07-28"})
    void everyUpstreamTransportIsServedInBothEras(String setup) throws Exception {
        Peregrine gateway = threeTransports();
        String[] s = setup.split(" ");
        PeregrineClient client = fixture.client(gateway, s[0], s[1]);

        List<String> names = new ArrayList<>();
        for (ToolInfo t : client.tools()) {
            names.add(t.name());
        }
        // The local echo beside each upstream's tools, every name valid for function calling.
        assertThat(names).contains("echo", "tcp_echo", "ws_echo", "http_echo", "tcp_slow", "http_gate",
                "ws_fs_read_all");
        assertThat(names).allMatch(n -> n.matches("^[a-zA-Z0-9_-]{1,64}$"));
        ToolInfo echo = client.tools().stream().filter(t -> t.name().equals("ws_echo")).findFirst().orElseThrow();
        assertThat(echo.description()).isEqualTo("Returns the message it is given, unchanged.");
        assertThat(echo.annotations()).containsEntry("readOnlyHint", true);
        assertThat(echo.inputSchema()).containsEntry("required", List.of("message"));

        for (String prefix : List.of("tcp", "ws", "http")) {
            assertThat(client.callTool(prefix + "_echo", Map.of("message", "via " + prefix)).text()).isEqualTo("via " + prefix);
        }
        assertThat(client.callTool("ws_fs_read_all", Map.of()).text()).isEqualTo("dots");
        assertThat(client.callTool("echo", Map.of("message", "local")).text()).isEqualTo("local");

        // The upstream's errors come through as it answered them.
        CallToolResult invalid = null;
        try {
            invalid = client.callTool("tcp_echo", Map.of("message", 5));
        } catch (McpClientException e) {
            assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
        }
        if (invalid != null) {
            assertThat(invalid.isError()).isTrue();
        }

        // Resources (paged upstream: pageSize 2) and templates keep their URIs on the tcp upstream, and
        // the same ones are served again under the scheme of each rewriting upstream.
        assertThat(client.resources()).extracting(r -> r.uri())
                .contains("test://static/hello", "test://static/blob", "test://static/a", "test://static/slow",
                        "test+ws://static/hello", "test+http://static/slow");
        assertThat(client.resourceTemplates()).extracting(t -> t.uriTemplate())
                .contains("test://items/{id}", "test+ws://items/{id}", "test+http://items/{id}");
        assertThat(client.readResource("test+ws://static/hello").get(0).uri()).isEqualTo("test+ws://static/hello");
        assertThat(client.readResource("test+http://items/fig").get(0).text()).isEqualTo("item fig");
        List<ResourceContents> hello = client.readResource("test://static/hello");
        assertThat(hello.get(0).text()).isEqualTo("hello world");
        assertThat(client.readResource("test://static/blob").get(0).bytes()).containsExactly(1, 2, 3);
        assertThat(client.readResource("test://items/pear").get(0).text()).isEqualTo("item pear");

        assertThat(client.prompts()).extracting(p -> p.name()).contains("tcp_greet", "ws_greet", "http_greet");
        assertThat(client.getPrompt("http_greet", Map.of("name", "Ada")).messages().get(1).text()).isEqualTo("Hello, Ada!");

        // Completions of a federated prompt's argument and of a template's variable are the upstream's.
        assertThat(client.complete(io.peregrine.client.CompletionRef.prompt("tcp_greet"), "style", "f", null).values())
                .containsExactly("formal");
        assertThat(client.complete(io.peregrine.client.CompletionRef.resourceTemplate("test://items/{id}"), "id", "ap", null)
                .values()).containsExactly("apple", "apricot");
    }

    @Test
    void progressIsRelayedAndACancelReachesTheUpstream() throws Exception {
        Peregrine gateway = threeTransports();
        for (String setup : List.of("tcp 2025-11-25", "http 2026-07-28")) {
            String[] s = setup.split(" ");
            PeregrineClient client = fixture.client(gateway, s[0], s[1]);
            List<String> progress = new CopyOnWriteArrayList<>();
            PendingCall call = client.callToolAsync("ws_slow", Map.of("millis", 400, "steps", 4),
                    (p, total, message) -> progress.add(p + "/" + total + " " + message));
            assertThat(call.result().get(20, TimeUnit.SECONDS).text()).isEqualTo("slept 400");
            assertThat(progress).as(setup).containsExactly("1.0/4.0 step 1", "2.0/4.0 step 2", "3.0/4.0 step 3",
                    "4.0/4.0 step 4");

            for (String prefix : List.of("tcp", "ws", "http")) {
                gateEntered = new CountDownLatch(1);
                gateCancelled = new CountDownLatch(1);
                PendingCall gate = client.callToolAsync(prefix + "_gate", Map.of(), null);
                assertThat(gateEntered.await(20, TimeUnit.SECONDS)).as(setup + " via " + prefix + ": the call arrived").isTrue();
                gate.cancel("the user gave up");
                assertThat(gateCancelled.await(20, TimeUnit.SECONDS))
                        .as(setup + " via " + prefix + ": the upstream's tool was cancelled").isTrue();
            }
        }
    }

    @Test
    void aSlowUpstreamMeetsTheCallTimeoutWithAnErrorNamingIt() throws Exception {
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("slowpoke").url(tcpUrl()).callTimeout(Duration.ofMillis(500)).build());
        for (String version : List.of("2025-11-25", "2026-07-28")) {
            PeregrineClient client = fixture.client(gateway, "tcp", version);
            gateCancelled = new CountDownLatch(1);
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.callTool("slowpoke_gate", Map.of()))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(JsonRpcError.UPSTREAM_TIMEOUT);
                        assertThat(e.getMessage()).contains("Upstream slowpoke did not answer tools/call gate within 500 ms");
                        assertThat(e.data()).isEqualTo(Map.of("upstream", "slowpoke", "tool", "gate"));
                    });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("answered soon after the call timeout").isBetween(400L, 5_000L);
            assertThat(gateCancelled.await(20, TimeUnit.SECONDS)).as("the upstream was told to cancel").isTrue();
        }
    }

    @Test
    void readsPromptsAndCompletionsCarryTheDeadlineUpstream() throws Exception {
        FreezableRelay tap = new FreezableRelay(upstream.addresses().tcp());
        fixture.closeLater(tap);
        {
            Peregrine gateway = fixture.gateway(UpstreamSpec.builder("tapped").url(tap.url())
                    .callTimeout(Duration.ofSeconds(7)).build());
            PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
            assertThat(client.readResource("test://static/hello").get(0).text()).isEqualTo("hello world");
            assertThat(client.getPrompt("tapped_greet", Map.of("name", "Ada")).messages().get(1).text()).isEqualTo("Hello, Ada!");
            assertThat(client.complete(io.peregrine.client.CompletionRef.prompt("tapped_greet"), "style", "f", null).values())
                    .containsExactly("formal");

            for (String method : List.of("resources/read", "prompts/get", "completion/complete")) {
                String line = tap.sent().lines().filter(l -> l.contains("\"method\":\"" + method + "\""))
                        .findFirst().orElseThrow(() -> new AssertionError(method + " never reached the upstream"));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"io\\.peregrine/timeoutMs\":(\\d+)")
                        .matcher(line);
                assertThat(m.find()).as(method + " carries the deadline in _meta: " + line).isTrue();
                long millis = Long.parseLong(m.group(1));
                System.out.println(method + " reached the upstream with io.peregrine/timeoutMs " + millis);
                assertThat(millis).as(method + ": what is left of the 7 s call-timeout, plus the grace")
                        .isBetween(1L, 7_000L + Forwarder.UPSTREAM_GRACE_MILLIS);
            }
        }
    }

    @Test
    void theBulkheadRefusesACallBeyondItsBound() throws Exception {
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("narrow").url(tcpUrl()).maxInFlight(1, Duration.ofMillis(50)).build());
        PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
        gateEntered = new CountDownLatch(1);
        PendingCall first = client.callToolAsync("narrow_gate", Map.of(), null);
        assertThat(gateEntered.await(20, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> client.callTool("narrow_echo", Map.of("message", "x")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.SERVER_OVERLOADED);
                    assertThat(e.getMessage()).contains("Upstream narrow already has 1 calls in flight");
                });
        first.cancel("done");
        Await.until(() -> {
            try {
                return client.callTool("narrow_echo", Map.of("message", "again")).text().equals("again");
            } catch (McpClientException e) {
                return false;
            }
        }, "the slot is free once the first call ended");
    }

    /** A call that finds the bulkhead full waits, holding no thread, and takes the place the first call gives back. */
    @Test
    void aCallWaitingForTheBulkheadTakesThePlaceGivenBack() throws Exception {
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("narrow").url(tcpUrl())
                .maxInFlight(1, Duration.ofSeconds(20)).build());
        PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
        gateEntered = new CountDownLatch(1);
        PendingCall first = client.callToolAsync("narrow_gate", Map.of(), null);
        assertThat(gateEntered.await(20, TimeUnit.SECONDS)).isTrue();
        PendingCall waiting = client.callToolAsync("narrow_echo", Map.of("message", "waited"), null);
        PendingCall behind = client.callToolAsync("narrow_echo", Map.of("message", "behind"), null);
        Await.until(() -> gateway.core().callsInFlight() == 3, "three calls in flight on the gateway");
        assertThat(waiting.result()).isNotDone();
        first.cancel("done");
        assertThat(waiting.result().get(20, TimeUnit.SECONDS).text()).isEqualTo("waited");
        assertThat(behind.result().get(20, TimeUnit.SECONDS).text()).isEqualTo("behind");
    }

    @Test
    void aListChangeUpstreamRefreshesOnlyItsPartAndTellsTheClients() throws Exception {
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("tcp").url(tcpUrl()).build(),
                UpstreamSpec.builder("http").url(httpUrl()).protocolVersion("2026-07-28")
                        .resourceUris(ResourceUriMode.REWRITE).build());
        List<String> heard = new CopyOnWriteArrayList<>();
        PeregrineClient legacy = PeregrineClient.builder().address(gateway.addresses().tcp())
                .onNotification((method, params) -> heard.add(method)).connect();
        fixture.closeLater(legacy);
        PeregrineClient modern = fixture.client(gateway, "http", "2026-07-28");
        assertThat(modern.tools()).extracting(ToolInfo::name).doesNotContain("tcp_late", "http_late");
        long version = gateway.gateway().catalogVersion();

        upstream.tools().add(Tool.builder("late").handler((a, ctx) -> ToolResult.text("I am late")).build());
        try {
            Await.until(() -> legacy.tools().stream().anyMatch(t -> t.name().equals("http_late"))
                    && legacy.tools().stream().anyMatch(t -> t.name().equals("tcp_late")), "both links heard the change");
            // The client refreshes its catalog before it calls the application's listener: wait for the listener too.
            Await.until(() -> heard.contains("notifications/tools/list_changed"), "the client heard tools/list_changed");
            Await.until(() -> modern.tools().stream().anyMatch(t -> t.name().equals("tcp_late")),
                    "the 2026 client's cache heard it through its subscription");
            assertThat(modern.callTool("http_late", Map.of()).text()).isEqualTo("I am late");
            assertThat(gateway.gateway().catalogVersion()).isGreaterThan(version);
        } finally {
            upstream.tools().remove("late");
        }
        Await.until(() -> legacy.tools().stream().noneMatch(t -> t.name().endsWith("_late")), "the removal too");
    }

    @Test
    void prefixModesNameCollisionsAndNeverStopsStartUpNamingBoth() throws Exception {
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("a").url(tcpUrl()).prefixMode(PrefixMode.COLLISION)
                        .tools(List.of("echo", "slow"), List.of()).build(),
                UpstreamSpec.builder("b").url(wsUrl()).prefixMode(PrefixMode.COLLISION)
                        .tools(List.of("slow", "fs*"), List.of()).resourceUris(ResourceUriMode.REWRITE).build());
        PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
        // echo is local too, slow is offered by both: prefixed; fs.read.all only by b: kept bare.
        assertThat(client.tools()).extracting(ToolInfo::name)
                .containsExactlyInAnyOrder("echo", "a_echo", "a_slow", "b_slow", "fs_read_all");
        assertThat(client.callTool("fs_read_all", Map.of()).text()).isEqualTo("dots");

        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("left").url(tcpUrl()).prefixMode(PrefixMode.NEVER)
                        .tools(List.of("slow"), List.of()).build())
                .upstream(UpstreamSpec.builder("right").url(wsUrl()).prefixMode(PrefixMode.NEVER)
                        .tools(List.of("slow"), List.of()).build());
        Peregrine clash = b.build();
        fixture.closeLater(clash);
        assertThatThrownBy(clash::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the tool \"slow\" of upstream right and the tool \"slow\" of upstream left would both be served as \"slow\"")
                .hasMessageContaining("gateway.upstreams.right.prefix-mode is never");
    }

    @Test
    void aLongNameIsCutToSixtyFourCharactersAndStaysUnique() {
        String longName = "x".repeat(70);
        String fitted = Naming.fit("tcp_" + longName);
        assertThat(fitted).hasSize(64).matches("^[a-zA-Z0-9_-]{1,64}$");
        assertThat(Naming.fit("tcp_" + longName + "y")).isNotEqualTo(fitted).hasSize(64);
        assertThat(Naming.sanitize("fs.read all")).isEqualTo("fs_read_all");
    }

    @Test
    void theStandaloneServerFederatesWhatItsKeysName() throws Exception {
        Peregrine server = io.peregrine.launcher.Main.start(new String[] {"--set", "demo.enabled=false",
                "--set", "tcp.port=0", "--set", "http.enabled=false", "--set", "shutdown.ready-delay=0",
                "--set", "gateway.upstreams.peri.url=" + tcpUrl(),
                "--set", "gateway.upstreams.peri.tools.exclude=gate,slow"}, Map.of());
        fixture.closeLater(server);
        PeregrineClient client = fixture.client(server, "tcp", "2026-07-28");
        assertThat(client.tools()).extracting(ToolInfo::name).containsExactlyInAnyOrder("peri_echo", "peri_fs_read_all");
        assertThat(client.callTool("peri_echo", Map.of("message", "standalone")).text()).isEqualTo("standalone");
    }

    @Test
    void policyAppliesToFederatedNames() throws Exception {
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0)
                .policy(io.peregrine.policy.PolicyChain.builder()
                        .rateLimiter(io.peregrine.policy.RateLimiter.builder()
                                .perTool("peri_*", io.peregrine.policy.RateLimit.parse("2/1m")).build())
                        .build())
                .upstream(UpstreamSpec.builder("peri").url(tcpUrl()).build())
                .build();
        fixture.closeLater(g);
        g.start();
        PeregrineClient client = fixture.client(g, "tcp", "2025-11-25");
        assertThat(client.callTool("peri_echo", Map.of("message", "1")).text()).isEqualTo("1");
        assertThat(client.callTool("peri_echo", Map.of("message", "2")).text()).isEqualTo("2");
        assertThatThrownBy(() -> client.callTool("peri_echo", Map.of("message", "3")))
                .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.code()).isEqualTo(JsonRpcError.RATE_LIMITED));
        // Each federated tool has a bucket of its own under the pattern.
        assertThat(client.callTool("peri_fs_read_all", Map.of()).text()).isEqualTo("dots");
    }

    @Test
    void aLocalToolPutOverAFederatedNameStaysThroughLaterChanges() throws Exception {
        Peregrine g = fixture.gateway(UpstreamSpec.builder("tcp").url(tcpUrl()).build());
        g.tools().add(Tool.builder("tcp_echo").handler((a, ctx) -> ToolResult.text("mine")).build());
        PeregrineClient client = fixture.client(g, "tcp", "2025-11-25");
        upstream.tools().add(Tool.builder("later").handler((a, ctx) -> ToolResult.text("later")).build());
        try {
            Await.until(() -> client.tools().stream().anyMatch(t -> t.name().equals("tcp_later")), "the upstream's change arrived");
            assertThat(client.callTool("tcp_echo", Map.of()).text()).isEqualTo("mine");
        } finally {
            upstream.tools().remove("later");
        }
        Await.until(() -> client.tools().stream().noneMatch(t -> t.name().equals("tcp_later")), "the removal arrived");
        assertThat(client.callTool("tcp_echo", Map.of()).text()).isEqualTo("mine");
    }
}

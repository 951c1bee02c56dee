package io.peregrine;

import io.peregrine.config.ConfigKey;
import io.peregrine.policy.PolicyChain;
import io.peregrine.testing.LineSocket;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder's defaults and bounds are ConfigKey's, and what it builds does not change after build(). */
class PeregrineBuilderTest {

    /** Each bounded server key and the named setter that sets it, with a number it is given. */
    private static final Map<ConfigKey<?>, BiConsumer<Peregrine.Builder, Long>> NAMED_SETTERS = new LinkedHashMap<>();

    static {
        NAMED_SETTERS.put(ConfigKey.TCP_PORT, (b, v) -> b.tcp("127.0.0.1", Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.TCP_MAX_LINE_LENGTH, (b, v) -> b.maxLineLength(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_PORT, (b, v) -> b.http("127.0.0.1", Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_MAX_BODY_SIZE, (b, v) -> b.maxBodyBytes(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_REQUEST_READ_TIMEOUT, (b, v) -> b.requestReadTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_KEEP_ALIVE_TIMEOUT, (b, v) -> b.httpKeepAliveTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_SSE_KEEP_ALIVE, (b, v) -> b.sseKeepAlive(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_MAX_SESSIONS, (b, v) -> b.maxSessions(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.EXEC_MAX_STRAY_CALLS, (b, v) -> b.maxStrayCalls(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_SESSION_IDLE_TIMEOUT, (b, v) -> b.sessionIdleTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.GATEWAY_SESSION_MAX_AGE, (b, v) -> b.sessionMaxAge(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.GATEWAY_LINKED_RESOURCES, (b, v) -> b.linkedResources(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.HTTP_REPLAY_EVENTS, (b, v) -> b.replayEvents(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.WS_MAX_FRAME_SIZE, (b, v) -> b.maxFrameBytes(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.WS_IDLE_TIMEOUT, (b, v) -> b.webSocketIdleTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.WS_PING_INTERVAL, (b, v) -> b.webSocketPingInterval(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.JSON_MAX_NESTING_DEPTH, (b, v) -> b.maxNestingDepth(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.JSON_MAX_STRING_LENGTH, (b, v) -> b.maxStringLength(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.CONNECTION_MAX_IN_FLIGHT, (b, v) -> b.maxInFlightPerConnection(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.EXEC_MAX_CONCURRENCY, (b, v) -> b.maxConcurrency(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.IO_THREADS, (b, v) -> b.ioThreads(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.TOOLS_DEFAULT_TIMEOUT, (b, v) -> b.defaultTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.TOOLS_PAGE_SIZE, (b, v) -> b.pageSize(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.CLIENT_REQUESTS_TIMEOUT, (b, v) -> b.clientRequestTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.CLIENT_REQUESTS_STATE_TTL, (b, v) -> b.requestStateTtl(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.TASKS_TTL, (b, v) -> b.taskTtl(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.TASKS_MAX, (b, v) -> b.maxTasks(Math.toIntExact(v)));
        NAMED_SETTERS.put(ConfigKey.SHUTDOWN_READY_DELAY, (b, v) -> b.readyDelay(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.SHUTDOWN_DRAIN_TIMEOUT, (b, v) -> b.drainTimeout(Duration.ofMillis(v)));
        NAMED_SETTERS.put(ConfigKey.ADMIN_PORT, (b, v) -> b.admin("127.0.0.1", Math.toIntExact(v)));
    }

    private static List<ConfigKey<?>> boundedServerKeys() {
        return ConfigKey.all().values().stream()
                .filter(k -> k.scope() == ConfigKey.Scope.SERVER)
                .filter(k -> k.type() == ConfigKey.Type.INT || k.type() == ConfigKey.Type.SIZE
                        || k.type() == ConfigKey.Type.DURATION)
                .collect(Collectors.toList());
    }

    @Test
    void theMessageLimitIsTheConfiguredOne() {
        assertThat(Peregrine.Builder.MAX_MESSAGE_BYTES).isEqualTo(256 * 1024 * 1024);
        Peregrine.builder().maxLineLength(Peregrine.Builder.MAX_MESSAGE_BYTES).maxFrameBytes(Peregrine.Builder.MAX_MESSAGE_BYTES)
                .maxBodyBytes(Peregrine.Builder.MAX_MESSAGE_BYTES);
    }

    @Test
    void everyBoundedServerKeyHasANamedSetter() {
        assertThat(NAMED_SETTERS.keySet()).containsExactlyInAnyOrderElementsOf(boundedServerKeys());
    }

    /** The named setters accept exactly what the configuration file accepts, and say so in the same words. */
    @Test
    void everyNamedSetterHasTheBoundsOfItsKey() {
        for (Map.Entry<ConfigKey<?>, BiConsumer<Peregrine.Builder, Long>> e : NAMED_SETTERS.entrySet()) {
            ConfigKey<?> key = e.getKey();
            BiConsumer<Peregrine.Builder, Long> setter = e.getValue();
            long[] range = range(key);
            setter.accept(Peregrine.builder(), range[0]);
            setter.accept(Peregrine.builder(), range[1]);
            assertThatThrownBy(() -> setter.accept(Peregrine.builder(), range[0] - 1)).as(key.name())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(key.name() + " : ")
                    .hasMessageEndingWith("(expected: " + key.bounds() + ")");
            if (range[1] < Integer.MAX_VALUE && key.type() != ConfigKey.Type.DURATION) {
                assertThatThrownBy(() -> setter.accept(Peregrine.builder(), range[1] + 1)).as(key.name())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageEndingWith("(expected: " + key.bounds() + ")");
            }
        }
    }

    /** The lowest and highest value a setter may be given: for durations in milliseconds, the highest one large. */
    private static long[] range(ConfigKey<?> key) {
        if (key.type() == ConfigKey.Type.DURATION) {
            return new long[] {key.min(), Duration.ofDays(365).toMillis()};
        }
        return new long[] {key.min(), key.max()};
    }

    @Test
    void negativeWebSocketTimeoutsAreRefused() {
        assertThatThrownBy(() -> Peregrine.builder().webSocketIdleTimeout(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ws.idle-timeout : -5s (expected: >= 0)");
        assertThatThrownBy(() -> Peregrine.builder().webSocketPingInterval(Duration.ofMillis(-1)))
                .hasMessage("ws.ping-interval : -1ms (expected: >= 0)");
        assertThatThrownBy(() -> Peregrine.builder().webSocketIdleTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ws.idle-timeout");
    }

    @Test
    void theBuilderKnowsTheLimitsTheFileKnows() {
        assertThatThrownBy(() -> Peregrine.builder().maxNestingDepth(100_000))
                .hasMessage("json.max-nesting-depth : 100000 (expected: 1 to 10000)");
        assertThatThrownBy(() -> Peregrine.builder().webSocketPath("mcp"))
                .hasMessage("ws.path : mcp (expected: a path starting with /)");
        assertThatThrownBy(() -> Peregrine.builder().requestStateKey(new byte[8]))
                .hasMessage("client-requests.state-key : 8 bytes (expected: >= 16)");
        assertThatThrownBy(() -> Peregrine.builder().allowedOrigins(List.of("http://a,http://b")))
                .hasMessageStartingWith("http.allowed-origins : http://a,http://b");
    }

    @Test
    void setTakesServerKeysOnly() {
        assertThat(Peregrine.builder().set(ConfigKey.WS_IDLE_TIMEOUT, Duration.ZERO).build().settings()
                .get(ConfigKey.WS_IDLE_TIMEOUT)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Peregrine.builder().set(ConfigKey.AUTH_ROLES, "admin=tool:*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("auth.roles : a policy key (expected: a key of scope SERVER");
        assertThatThrownBy(() -> Peregrine.builder().set(ConfigKey.DEMO_ENABLED, false))
                .hasMessageStartingWith("demo.enabled : a launcher key");
    }

    @Test
    void aBuiltServerHasEveryServerKeyAtItsBuilderDefault() {
        try (Peregrine server = Peregrine.builder().build()) {
            ServerSettings s = server.settings();
            for (ConfigKey<?> key : ConfigKey.all().values()) {
                if (key.scope() == ConfigKey.Scope.SERVER) {
                    assertThat(s.get(key)).as(key.name()).isEqualTo(key.builderDefault());
                } else {
                    assertThatThrownBy(() -> s.get(key)).as(key.name()).isInstanceOf(IllegalArgumentException.class);
                }
            }
            assertThat(s.get(ConfigKey.HTTP_ENABLED)).isFalse();
            assertThat(s.get(ConfigKey.SHUTDOWN_READY_DELAY)).isZero();
            assertThat(s.hasRequestStateKey()).isFalse();
            assertThat(s.allowedOrigins()).containsExactly("http://localhost:*", "https://localhost:*",
                    "http://127.0.0.1:*", "https://127.0.0.1:*");
            assertThat(s.toString()).contains("tcp.max-line-length=4MiB", "ws.idle-timeout=5m");
        }
    }

    /** Setters called after build() belong to the next server; the running one keeps its snapshot. */
    @Test
    void changingTheBuilderAfterBuildChangesNoRunningServer() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).maxLineLength(64 * 1024)
                .tool(Tool.builder("ping").blocking(false).handler((args, ctx) -> ToolResult.text("pong")).build());
        try (Peregrine server = b.build()) {
            ServerSettings before = server.settings();
            b.maxLineLength(1024).webSocketIdleTimeout(Duration.ZERO).serverInfo("changed", "9")
                    .tool(Tool.builder("late").blocking(false).handler((args, ctx) -> ToolResult.text("x")).build())
                    .policy(PolicyChain.defaults()).noTcp();
            assertThat(server.settings()).isEqualTo(before);
            assertThat(server.settings().get(ConfigKey.TCP_MAX_LINE_LENGTH)).isEqualTo(64 * 1024L);
            try (LineSocket client = new LineSocket(server.start().tcp())) {
                Map<String, Object> init = client.initialize("2025-11-25");
                assertThat(at(init, "serverInfo.name")).isEqualTo("peregrine");
                // A line longer than the changed builder's limit but within the server's is served.
                String padding = "x".repeat(4 * 1024);
                Map<String, Object> r = client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                        + "{\"name\":\"ping\",\"arguments\":{},\"_meta\":{\"pad\":\"" + padding + "\"}}}");
                assertThat(at(r, "result.content.0.text")).isEqualTo("pong");
                assertThat(server.tools().size()).isEqualTo(1);
            }
            try (Peregrine next = b.build()) {
                assertThat(next.settings().get(ConfigKey.TCP_MAX_LINE_LENGTH)).isEqualTo(1024L);
                assertThat(next.settings().get(ConfigKey.TCP_ENABLED)).isFalse();
                assertThat(next.tools().size()).isEqualTo(2);
            }
        }
    }

    @Test
    void observersAddedAfterBuildBelongToTheNextServer() throws Exception {
        java.util.concurrent.atomic.AtomicInteger early = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger late = new java.util.concurrent.atomic.AtomicInteger();
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).observer(sessionCounter(early));
        try (Peregrine server = b.build()) {
            b.observer(sessionCounter(late));
            try (LineSocket client = new LineSocket(server.start().tcp())) {
                client.initialize("2025-11-25");
            }
        }
        assertThat(early.get()).isEqualTo(1);
        assertThat(late.get()).isZero();
    }

    private static io.peregrine.mcp.McpObserver sessionCounter(java.util.concurrent.atomic.AtomicInteger sessions) {
        return new io.peregrine.mcp.McpObserver() {
            @Override
            public void sessionStarted(io.peregrine.transport.Transport transport) {
                sessions.incrementAndGet();
            }
        };
    }

    @Test
    void anUnauthenticatedListenerOffLoopbackIsRefusedAtBuild() {
        assertThatThrownBy(() -> Peregrine.builder().tcp("0.0.0.0", 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tcp.host : 0.0.0.0 with tcp.auth none (expected: a loopback address");
        Peregrine.builder().tcp("0.0.0.0", 0).allowAnonymousRemote(true).build().close();
    }
}

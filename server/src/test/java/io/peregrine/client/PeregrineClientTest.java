package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.TestTools;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our client against our server, over a real socket, in both eras. */
class PeregrineClientTest {

    private static Peregrine server;
    private static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).tool(TestTools.boom())
                .tcp("127.0.0.1", 0).pageSize(2);
        for (int i = 0; i < 5; i++) {
            String name = "extra" + i;
            b.tool(Tool.builder(name).blocking(false).handler((args, ctx) -> ToolResult.text(name)).build());
        }
        server = b.build();
        address = server.start().tcp();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-03-26", "2025-11-25", "2026-07-28"})
    void callsToolsInEitherEra(String version) throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address).protocolVersion(version).connect()) {
            assertThat(client.negotiatedVersion()).isEqualTo(version);
            CallToolResult r = client.callTool("echo", Map.of("message", "hé"));
            assertThat(r.text()).isEqualTo("hé");
            assertThat(r.isError()).isFalse();
            List<Map<String, Object>> tools = client.listTools();
            assertThat(tools).extracting(t -> t.get("name"))
                    .containsExactly("boom", "echo", "extra0", "extra1", "extra2", "extra3", "extra4", "slow");
        }
    }

    @Test
    void discoverAndPing() throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address).protocolVersion("2026-07-28").connect()) {
            assertThat((List<?>) client.discover().get("supportedVersions")).hasSize(4);
            client.ping();
        }
    }

    @Test
    void errorsArriveAsExceptionsWithTheirCode() throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address).connect()) {
            assertThatThrownBy(() -> client.callTool("nope", Map.of()))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
                        assertThat(e.getMessage()).isEqualTo("Unknown tool: nope");
                    });
            assertThat(client.callTool("boom", Map.of()).isError()).isTrue();
        }
    }

    @Test
    void progressReachesTheListener() throws Exception {
        List<Double> seen = new CopyOnWriteArrayList<>();
        try (PeregrineClient client = PeregrineClient.builder().address(address).connect()) {
            PeregrineClient.Call call = client.callToolAsync("slow", Map.of("millis", 200, "steps", 4),
                    (progress, total, message) -> seen.add(progress));
            assertThat(call.result().get(10, TimeUnit.SECONDS).text()).isEqualTo("slept 200");
            assertThat(seen).containsExactly(1.0, 2.0, 3.0, 4.0);
        }
    }

    @Test
    void cancellingStopsTheCallOnTheServer() throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address).connect()) {
            CompletableFuture<Double> firstProgress = new CompletableFuture<>();
            PeregrineClient.Call call = client.callToolAsync("slow", Map.of("millis", 20_000, "steps", 200),
                    (progress, total, message) -> firstProgress.complete(progress));
            firstProgress.get(10, TimeUnit.SECONDS);
            call.cancel("changed my mind");
            assertThatThrownBy(() -> call.result().get()).hasCauseInstanceOf(CancellationException.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.core().callsInFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.core().callsInFlight()).isZero();
            assertThat(client.callTool("echo", Map.of("message", "after")).text()).isEqualTo("after");
        }
    }

    @Test
    void requestsTimeOut() throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address)
                .requestTimeout(Duration.ofMillis(200)).connect()) {
            assertThatThrownBy(() -> client.callTool("slow", Map.of("millis", 5_000, "steps", 1)))
                    .isInstanceOf(McpClientException.class).hasMessageContaining("timed out after 200 ms");
        }
    }

    @Test
    void manyConcurrentCallsCorrelate() throws Exception {
        try (PeregrineClient client = PeregrineClient.builder().address(address).connect()) {
            List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(client.callToolAsync("echo", Map.of("message", "m" + i), null).result());
            }
            for (int i = 0; i < 100; i++) {
                assertThat(calls.get(i).get(10, TimeUnit.SECONDS).text()).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void losingTheServerFailsPendingCalls() throws Exception {
        Peregrine doomed = Peregrine.builder().tool(TestTools.slow()).tcp("127.0.0.1", 0)
                .drainTimeout(Duration.ZERO).build();
        InetSocketAddress a = doomed.start().tcp();
        try (PeregrineClient client = PeregrineClient.builder().address(a).connect()) {
            PeregrineClient.Call call = client.callToolAsync("slow", Map.of("millis", 20_000, "steps", 1), null);
            doomed.close();
            assertThatThrownBy(() -> call.result().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(McpClientException.class);
        }
    }
}

package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.demo.AskUserTool;
import io.peregrine.testing.AskingTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Our client answering what a server asks (elicitation, sampling, roots) with the same handlers in
 * both eras: server requests in 2025, input_required rounds retried transparently in 2026-07-28.
 */
class ClientRequestsTest {

    private static Peregrine server;
    private static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).tool(AskUserTool.create());
        AskingTools.all().forEach(b::tool);
        server = b.build();
        address = server.start().tcp();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static PeregrineClient.Builder client(String version) {
        return PeregrineClient.builder().address(address).protocolVersion(version)
                .requestTimeout(Duration.ofSeconds(10));
    }

    private static PeregrineClient.Builder answering(String version, List<String> asked) {
        return client(version)
                .onElicitation(params -> {
                    asked.add("elicitation:" + params.get("message"));
                    Object schema = params.get("requestedSchema");
                    boolean wantsAnswer = schema != null && schema.toString().contains("answer");
                    return Map.of("action", "accept", "content", wantsAnswer ? Map.of("answer", "blue")
                            : Map.of("name", "Ada", "color", "green"));
                })
                .onSampling(params -> {
                    asked.add("sampling");
                    return Map.of("role", "assistant", "content", Map.of("type", "text", "text", "Paris"), "model", "m1");
                })
                .roots(Map.of("file:///work", "work"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void theSameHandlersAnswerInBothEras(String version) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = answering(version, asked).connect()) {
            assertThat(c.callTool("ask_name", Map.of()).text()).isEqualTo("Hello, Ada!");
            assertThat(c.callTool("sample", Map.of()).text()).isEqualTo("m1 says Paris");
            assertThat(c.callTool("roots", Map.of()).text()).isEqualTo("file:///work");
            assertThat(c.callTool("ask_all", Map.of()).text()).isEqualTo("Paris Ada in file:///work");
            assertThat(c.callTool("two_steps", Map.of()).text()).isEqualTo("Ada likes green");
            assertThat(c.callTool("ask_user", Map.of("question", "Favourite colour?")).text())
                    .isEqualTo("The user answered: blue");
            assertThat(asked).contains("elicitation:What is your name?", "sampling", "elicitation:Step 2: color?",
                    "elicitation:Favourite colour?");
        }
        assertThat(server.core().pendingClientRequests()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aClientWithoutHandlersDeclaresNothingAndIsNotAsked(String version) throws Exception {
        try (PeregrineClient c = client(version).connect()) {
            assertThat(c.callTool("ask_if_able", Map.of()).text()).isEqualTo("cannot ask");
            assertThat(c.callTool("ask_user", Map.of("question", "?")).isError()).isTrue();
            assertThatThrownBy(() -> c.callTool("sample", Map.of()))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(-32021);
                        assertThat(e.getMessage()).contains("sampling");
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aHandlerErrorReachesTheServer(String version) throws Exception {
        try (PeregrineClient c = client(version)
                .onElicitation(params -> {
                    throw new McpClientException(-1, "User rejected the request", null);
                }).connect()) {
            if (version.equals("2025-11-25")) {
                CallToolResult r = c.callTool("ask_name", Map.of());
                assertThat(r.isError()).isTrue();
                assertThat(r.text()).contains("User rejected the request");
            } else {
                // In 2026-07-28 the client has no error to send back: the call fails on this side.
                assertThatThrownBy(() -> c.callTool("ask_name", Map.of()))
                        .isInstanceOfSatisfying(McpClientException.class,
                                e -> assertThat(e.getMessage()).contains("User rejected the request"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aCallCanBeCancelledWhileTheUserThinks(String version) throws Exception {
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (PeregrineClient c = client(version).onElicitation(params -> {
            asked.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Map.of("action", "cancel");
        }).connect()) {
            PendingCall call = c.callToolAsync("ask_name", Map.of(), null);
            assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(call.cancel("changed my mind")).isTrue();
            assertThat(call.result()).isCancelled();
            release.countDown();
            // The server forgets the question once the call that asked is gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.core().pendingClientRequests() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.core().pendingClientRequests()).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void aClientThatGoesAwayWhileAskedLeavesNothingBehind() throws Exception {
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        PeregrineClient c = client("2025-11-25").onElicitation(params -> {
            asked.countDown();
            Thread.sleep(10_000);
            return Map.of("action", "cancel");
        }).connect();
        try {
            c.callToolAsync("ask_name", Map.of(), null);
            assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.core().pendingClientRequests()).isOne();
        } finally {
            c.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((server.core().pendingClientRequests() > 0 || server.core().callsInFlight() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.core().pendingClientRequests()).isZero();
        assertThat(server.core().callsInFlight()).isZero();
    }
}

package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.testing.CuttableProxy;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the client does when the network or the server fails: a Streamable HTTP response stream
 * cut in the middle resumes from Last-Event-ID without losing a notification; a server that goes
 * away fails every pending call with a message naming the request; a client told to reconnect
 * comes back with a new connection or session.
 */
class ClientConnectionLossTest {

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

    private static String url(String transport, int port) {
        switch (transport) {
            case "tcp":
                return "tcp://127.0.0.1:" + port;
            case "ws":
                return "ws://127.0.0.1:" + port + "/mcp";
            default:
                return "http://127.0.0.1:" + port + "/mcp";
        }
    }

    private static InetSocketAddress backend(String transport) {
        return transport.equals("tcp") ? addresses.tcp() : addresses.http();
    }

    @Test
    void aStreamCutInTheMiddleResumesFromLastEventIdWithoutLosingANotification() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(addresses.http());
             PeregrineClient c = PeregrineClient.builder().url(url("http", proxy.port()))
                     .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            List<Double> progress = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            PendingCall call = c.callToolAsync("slow", Map.of("millis", 2_000, "steps", 20), (p, total, m) -> {
                progress.add(p);
                if (p >= 2) {
                    second.complete(null);
                }
            });
            second.get(WAIT_SECONDS, TimeUnit.SECONDS);
            proxy.cutAll();
            assertThat(call.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("slept 2000");
            List<Double> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                expected.add((double) i);
            }
            assertThat(progress).containsExactlyElementsOf(expected);
            assertThat(c.callTool("echo", Map.of("message", "same session")).text()).isEqualTo("same session");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25", "tcp 2026-07-28", "ws 2025-11-25", "ws 2026-07-28",
            "http 2025-11-25", "http 2026-07-28"})
    void aServerThatGoesAwayFailsEveryPendingCallNamingIt(String setup) throws Exception {
        String transport = setup.split(" ")[0];
        try (CuttableProxy proxy = new CuttableProxy(backend(transport));
             PeregrineClient c = PeregrineClient.builder().url(url(transport, proxy.port()))
                     .protocolVersion(setup.split(" ")[1]).requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            List<PendingCall> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Void> s = new CompletableFuture<>();
                started.add(s);
                calls.add(c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000), (p, t, m) -> s.complete(null)));
            }
            CompletableFuture.allOf(started.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
            proxy.refuse(true);
            proxy.cutAll();
            for (PendingCall call : calls) {
                assertThatThrownBy(() -> call.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(McpClientException.class)
                        .hasMessageContaining("tools/call (id " + call.id() + ")")
                        .hasMessageMatching(".*(was lost before the response to|closed before the response to"
                                + "|broke and could not be resumed).*");
            }
            assertThat(c.pendingRequests()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws", "http"})
    void aClientToldToReconnectComesBackToARestartedServerWithItsCatalogRefreshed(String transport) throws Exception {
        List<List<String>> catalogs = new CopyOnWriteArrayList<>();
        Peregrine restarted = ClientKitServer.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(io.peregrine.tool.Tool.builder("only_after_restart").blocking(false)
                        .handler((a, ctx) -> io.peregrine.tool.ToolResult.text("new")).build())
                .build();
        Peregrine.BoundAddresses restartedAt = restarted.start();
        try (CuttableProxy proxy = new CuttableProxy(backend(transport));
             PeregrineClient c = PeregrineClient.builder().url(url(transport, proxy.port()))
                     .reconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 100))
                     .onCatalogChange((kind, items) -> {
                         if (kind == CatalogListener.Kind.TOOLS) {
                             List<String> names = new ArrayList<>();
                             items.forEach(t -> names.add(((ToolInfo) t).name()));
                             catalogs.add(names);
                         }
                     })
                     .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            assertThat(c.tools()).extracting(ToolInfo::name).doesNotContain("only_after_restart");

            // The server "restarts": same address, new process, no memory of this client.
            proxy.retarget(transport.equals("tcp") ? restartedAt.tcp() : restartedAt.http());
            proxy.cutAll();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (catalogs.stream().noneMatch(l -> l.contains("only_after_restart")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(catalogs).anySatisfy(l -> assertThat(l).contains("only_after_restart"));
            assertThat(c.isConnected()).isTrue();
            assertThat(c.callTool("only_after_restart", Map.of()).text()).isEqualTo("new");
            assertThat(c.tools()).extracting(ToolInfo::name).contains("only_after_restart");
        } finally {
            restarted.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aChildServerThatDiesFailsEveryPendingCallAndIsStartedAgain(String version) throws Exception {
        try (PeregrineClient c = PeregrineClient.builder().stdio(ClientKitServer.stdioCommand()).protocolVersion(version)
                .reconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 10))
                .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall pending = c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000),
                    (p, t, m) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);
            PendingCall death = c.callToolAsync("die", Map.of(), null);
            for (PendingCall call : List.of(pending, death)) {
                assertThatThrownBy(() -> call.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(McpClientException.class)
                        .hasMessageContaining("was lost before the response to tools/call (id " + call.id() + ") arrived")
                        .hasMessageEndingWith("the server process exited with code 3");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!c.isConnected() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(c.callTool("echo", Map.of("message", "a new process")).text()).isEqualTo("a new process");
        }
    }

    @Test
    void aStreamableHttpSessionTheServerForgotIsReplacedWithoutBeingAsked() throws Exception {
        Peregrine restarted = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).build();
        Peregrine.BoundAddresses restartedAt = restarted.start();
        try (CuttableProxy proxy = new CuttableProxy(addresses.http());
             PeregrineClient c = PeregrineClient.builder().url(url("http", proxy.port()))
                     .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            assertThat(c.callTool("echo", Map.of("message", "first session")).text()).isEqualTo("first session");
            proxy.retarget(restartedAt.http());
            proxy.cutAll();
            // The GET stream comes back to a server that never saw the session: 404, then a new one.
            String answer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (answer == null && System.nanoTime() < deadline) {
                try {
                    answer = c.callTool("echo", Map.of("message", "second session")).text();
                } catch (McpClientException e) {
                    assertThat(e.getMessage()).containsAnyOf("the server ended the session", "is closed");
                    Thread.sleep(10);
                }
            }
            assertThat(answer).isEqualTo("second session");
            assertThat(c.isConnected()).isTrue();
        } finally {
            restarted.close();
        }
    }

    @Test
    void aCallTheServerRefusedForAForgottenSessionIsAnsweredInTheNextSession() throws Exception {
        // Two replicas sharing a session key: the second takes up a sealed id only while it is young.
        String key = "a session key of twenty-odd chars";
        Duration maxAge = Duration.ofMillis(600);
        Peregrine first = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).sessionKey(key).sessionMaxAge(maxAge)
                .httpKeepAliveTimeout(Duration.ofMillis(200)).build();
        Peregrine second = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).sessionKey(key).sessionMaxAge(maxAge)
                .build();
        Peregrine.BoundAddresses firstAt = first.start();
        Peregrine.BoundAddresses secondAt = second.start();
        List<String> lost = new CopyOnWriteArrayList<>();
        List<Boolean> ready = new CopyOnWriteArrayList<>();
        try (CuttableProxy proxy = new CuttableProxy(firstAt.http());
             PeregrineClient c = PeregrineClient.builder().url(url("http", proxy.port())).protocolVersion("2025-11-25")
                     .requestTimeout(Duration.ofSeconds(WAIT_SECONDS))
                     .onConnectionChange(new ConnectionListener() {
                         @Override
                         public void onReady(boolean again) {
                             ready.add(again);
                         }

                         @Override
                         public void onLost(String reason) {
                             lost.add(reason);
                         }
                     }).connect()) {
            assertThat(c.callTool("echo", Map.of("message", "first session")).text()).isEqualTo("first session");
            // The first replica closes the idle POST connection and keeps the GET stream; the next POST
            // reaches the second replica, which no longer takes the session up: 404.
            proxy.retarget(secondAt.http());
            Thread.sleep(2 * maxAge.toMillis());
            assertThat(c.callTool("echo", Map.of("message", "past its age")).text()).isEqualTo("past its age");
            assertThat(lost).singleElement().asString()
                    .startsWith("the server ended the session (HTTP 404 to tools/call (id ");
            assertThat(ready).containsExactly(false, true);
        } finally {
            first.close();
            second.close();
        }
    }
}

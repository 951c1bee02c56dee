package io.peregrine.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.peregrine.Peregrine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bound on calls in flight, and clients sharing an event loop group they do not own. */
class ClientLimitsTest {

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

    @Test
    void aCallOverTheBoundWaitsItsTimeThenFailsSayingWhy() throws Exception {
        try (PeregrineClient c = PeregrineClient.builder().address(addresses.tcp())
                .maxCallsInFlight(2, Duration.ofMillis(100)).connect()) {
            CompletableFuture<Void> first = new CompletableFuture<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            PendingCall a = c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000), (p, t, m) -> first.complete(null));
            PendingCall b = c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000), (p, t, m) -> second.complete(null));
            CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> c.callTool("echo", Map.of("message", "third")))
                    .isInstanceOf(McpClientException.class)
                    .hasMessageMatching("cannot send tools/call \\(id \\d+\\): 2 calls are in flight \\(maxCallsInFlight\\) "
                            + "and none finished within 100 ms");

            a.cancel("making room");
            assertThat(c.callTool("echo", Map.of("message", "now")).text()).isEqualTo("now");
            b.cancel(null);
        }
    }

    @Test
    void clientsShareAGroupTheyDoNotOwnAndLeaveItRunning() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            for (String url : new String[] {"tcp://127.0.0.1:" + addresses.tcp().getPort(),
                    "ws://127.0.0.1:" + addresses.http().getPort() + "/mcp",
                    "http://127.0.0.1:" + addresses.http().getPort() + "/mcp"}) {
                try (PeregrineClient a = PeregrineClient.builder().url(url).eventLoopGroup(group).connect();
                     PeregrineClient b = PeregrineClient.builder().url(url).eventLoopGroup(group)
                             .protocolVersion("2026-07-28").connect()) {
                    assertThat(a.callTool("echo", Map.of("message", "a")).text()).isEqualTo("a");
                    assertThat(b.callTool("echo", Map.of("message", "b")).text()).isEqualTo("b");
                }
                assertThat(group.isShuttingDown()).isFalse();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aClientEmbeddedInAPeregrineServerRunsOnTheServersEventLoops() throws Exception {
        Peregrine gateway = Peregrine.builder().noTcp().http("127.0.0.1", 0).ioThreads(1).build();
        assertThat(gateway.eventLoopGroup()).as("before start").isNull();
        gateway.start();
        try {
            assertThat(gateway.eventLoopGroup()).isNotNull();
            try (PeregrineClient upstream = PeregrineClient.builder()
                    .url("http://127.0.0.1:" + addresses.http().getPort() + "/mcp")
                    .eventLoopGroup(gateway.eventLoopGroup()).connect()) {
                CompletableFuture<String> progressThread = new CompletableFuture<>();
                CompletableFuture<String> resultThread = new CompletableFuture<>();
                CompletableFuture<CallToolResult> result = upstream.callToolAsync("slow",
                        Map.of("millis", 500, "steps", 1),
                        (p, t, m) -> progressThread.complete(Thread.currentThread().getName())).result();
                assertThat(result).as("a call that sleeps 500 ms, still running").isNotDone();
                result.thenAccept(r -> resultThread.complete(Thread.currentThread().getName()));
                assertThat(progressThread.get(10, TimeUnit.SECONDS)).matches("peregrine-io-[\\d-]+");
                assertThat(resultThread.get(10, TimeUnit.SECONDS)).matches("peregrine-io-[\\d-]+");
            }
            assertThat(gateway.eventLoopGroup().isShuttingDown()).isFalse();
        } finally {
            gateway.close();
        }
    }
}

package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.testing.Await;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The links a gateway opens on its own I/O loops: a call forwarded from a loop goes out on that
 * loop's link. The upstream's {@code where} tool answers with the session it was called in (the
 * link's connection on TCP and WebSocket, its {@code Mcp-Session-Id} on Streamable HTTP), so the
 * answers tell which link each call took.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayLoopLinksTest {

    private static Peregrine upstream;

    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(Tool.builder("where").description("Names the session it is called in")
                        .handler((args, ctx) -> ToolResult.text(ctx.sessionKey())).build())
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

    private static String url(String link) {
        switch (link) {
            case "tcp":
                return "tcp://127.0.0.1:" + upstream.addresses().tcp().getPort();
            case "ws":
                return "ws://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
            default:
                return "http://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp";
        }
    }

    private Peregrine gateway(String link, boolean perLoop) throws InterruptedException {
        return fixture.gateway(Peregrine.builder().tcp("127.0.0.1", 0).ioThreads(2),
                UpstreamSpec.builder("up").url(url(link)).protocolVersion("2025-11-25").linkPerIoThread(perLoop).build());
    }

    /** The sessions the upstream saw, one set per client of the gateway, each client making 5 calls. */
    private List<Set<String>> sessionsSeenByEachOf(int clients, Peregrine gateway) throws Exception {
        List<Set<String>> seen = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            PeregrineClient c = fixture.client(gateway, "tcp", "2025-11-25");
            Set<String> sessions = new HashSet<>();
            for (int call = 0; call < 5; call++) {
                String where = c.callTool("up_where", Map.of()).text();
                assertThat(where).isNotBlank();
                sessions.add(where);
            }
            seen.add(sessions);
        }
        return seen;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws", "http"})
    void aCallGoesOutOnTheLinkOfTheLoopThatServesIt(String link) throws Exception {
        Peregrine gateway = gateway(link, true);
        Replica endpoint = gateway.gateway().upstream("up").endpoints().all().get(0);
        Await.until(() -> endpoint.loopLinksConnected() == 2, "a link on each of the gateway's two I/O loops");

        // Four clients of the gateway: their connections are spread over its two loops, two on each.
        List<Set<String>> seen = sessionsSeenByEachOf(4, gateway);

        Set<String> all = new HashSet<>();
        for (Set<String> one : seen) {
            assertThat(one).as("the sessions one client's calls were made in upstream").hasSize(1);
            all.addAll(one);
        }
        assertThat(all).as("one link per loop").hasSize(2);
        assertThat(endpoint.clientForCall()).as("a thread that is no I/O loop's uses the first link")
                .isSameAs(endpoint.client());
    }

    @Test
    void withoutLinksPerLoopEveryCallTakesTheFirstLink() throws Exception {
        Peregrine gateway = gateway("tcp", false);
        Replica endpoint = gateway.gateway().upstream("up").endpoints().all().get(0);

        List<Set<String>> seen = sessionsSeenByEachOf(4, gateway);

        Set<String> all = new HashSet<>();
        seen.forEach(all::addAll);
        assertThat(all).hasSize(1);
        assertThat(endpoint.loopLinksConnected()).isZero();
    }

    @Test
    void aLoopWhoseLinkIsGoneSendsItsCallsOnTheFirstLink() throws Exception {
        Peregrine gateway = gateway("tcp", true);
        Replica endpoint = gateway.gateway().upstream("up").endpoints().all().get(0);
        Await.until(() -> endpoint.loopLinksConnected() == 2, "a link on each of the gateway's two I/O loops");
        endpoint.closeLoopLinks();

        List<Set<String>> seen = sessionsSeenByEachOf(2, gateway);

        Set<String> all = new HashSet<>();
        seen.forEach(all::addAll);
        assertThat(all).as("every call on the first link").hasSize(1);
    }
}

package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.ToolInfo;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.testing.TestTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upstreams that are down at start, go away and come back: their part of the catalog drops out
 * (clients hear list_changed) and returns, calls in flight get an error naming the upstream, and
 * a stdio child that dies is started again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayFaultsTest {

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static Peregrine upstreamOn(int port) throws InterruptedException {
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", port).tool(EchoTool.create()).tool(TestTools.slow())
                .drainTimeout(Duration.ZERO).build();
        p.start();
        return p;
    }

    private Peregrine gateway(UpstreamSpec spec) throws InterruptedException {
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0).upstream(spec).build();
        closing.add(g);
        g.start();
        return g;
    }

    private PeregrineClient client(Peregrine gateway, String version, List<String> heard) throws Exception {
        PeregrineClient c = PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion(version)
                .requestTimeout(Duration.ofSeconds(60))
                .onNotification((method, params) -> heard.add(method)).connect();
        closing.add(c);
        return c;
    }

    private static boolean offers(PeregrineClient c, String tool) {
        return c.tools().stream().map(ToolInfo::name).anyMatch(tool::equals);
    }

    @Test
    void anUpstreamThatStopsDropsOutAndComesBackWhenItRestarts() throws Exception {
        Peregrine beta = upstreamOn(0);
        int port = beta.addresses().tcp().getPort();
        try {
            Peregrine gateway = gateway(UpstreamSpec.builder("beta").url("tcp://127.0.0.1:" + port)
                    .reconnect(Duration.ofMillis(100), Duration.ofMillis(400)).build());
            List<String> heard = new CopyOnWriteArrayList<>();
            PeregrineClient client = client(gateway, "2025-11-25", heard);
            assertThat(client.callTool("beta_echo", Map.of("message", "before")).text()).isEqualTo("before");

            beta.close();
            Await.until(() -> !offers(client, "beta_echo"), "beta's tools dropped out");
            // The client refreshes its catalog before it calls the application's listener: wait for the listener too.
            Await.until(() -> heard.contains("notifications/tools/list_changed"), "the client heard tools/list_changed");
            assertThat(gateway.gateway().upstreams()).containsEntry("beta", false);
            assertThat(gateway.gateway().failure("beta")).contains("tcp://127.0.0.1:" + port);
            Map<?, ?> details = (Map<?, ?>) io.peregrine.rpc.JsonTree.parse(gateway.health().details());
            Map<?, ?> dependency = (Map<?, ?>) ((Map<?, ?>) details.get("dependencies")).get("upstream beta");
            assertThat(dependency.get("status")).isEqualTo("down");
            assertThat(gateway.isReady()).as("an upstream away costs its part of the catalog, not readiness").isTrue();
            assertThatThrownBy(() -> client.callTool("beta_echo", Map.of("message", "while away")))
                    .isInstanceOf(McpClientException.class);

            heard.clear();
            beta = upstreamOn(port);
            Await.until(() -> offers(client, "beta_echo"), "beta's tools came back after it restarted");
            // The client refreshes its catalog before it calls the application's listener: wait for the listener too.
            Await.until(() -> heard.contains("notifications/tools/list_changed"), "the client heard tools/list_changed");
            assertThat(client.callTool("beta_echo", Map.of("message", "after")).text()).isEqualTo("after");
            assertThat(gateway.gateway().upstreams()).containsEntry("beta", true);
            Map<?, ?> back = (Map<?, ?>) io.peregrine.rpc.JsonTree.parse(gateway.health().details());
            assertThat(((Map<?, ?>) ((Map<?, ?>) back.get("dependencies")).get("upstream beta")).get("status")).isEqualTo("up");
        } finally {
            beta.close();
        }
    }

    @Test
    void anUpstreamDownAtStartJoinsWhenItComesUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        Peregrine gateway = gateway(UpstreamSpec.builder("gamma").url("tcp://127.0.0.1:" + port)
                .connectTimeout(Duration.ofSeconds(1)).reconnect(Duration.ofMillis(100), Duration.ofMillis(300)).build());
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("start-up does not wait for a refused upstream")
                .isLessThan(5_000);
        List<String> heard = new CopyOnWriteArrayList<>();
        PeregrineClient client = client(gateway, "2025-11-25", heard);
        assertThat(client.tools()).isEmpty();
        assertThatThrownBy(() -> client.callTool("gamma_echo", Map.of("message", "x")))
                .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.getMessage()).contains("gamma_echo"));

        Peregrine gamma = upstreamOn(port);
        try {
            Await.until(() -> offers(client, "gamma_echo"), "gamma's tools arrived once it was up");
            // The client refreshes its catalog before it calls the application's listener: wait for the listener too.
            Await.until(() -> heard.contains("notifications/tools/list_changed"), "the client heard tools/list_changed");
            assertThat(client.callTool("gamma_echo", Map.of("message", "late")).text()).isEqualTo("late");
        } finally {
            gamma.close();
        }
    }

    @Test
    void aStdioChildKilledMidCallFailsTheCallNamingTheUpstreamAndIsStartedAgain() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String command = "'" + java + "' -Xmx128m -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.peregrine.client.ClientKitServer";
        Peregrine gateway = gateway(UpstreamSpec.builder("kid").command(command)
                .connectTimeout(Duration.ofSeconds(60)).callTimeout(Duration.ofSeconds(60))
                .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1)).build());
        List<String> heard = new CopyOnWriteArrayList<>();
        PeregrineClient client = client(gateway, "2026-07-28", heard);
        Await.until(() -> offers(client, "kid_echo"), "the child's tools are federated");
        assertThat(client.callTool("kid_echo", Map.of("message", "from the child")).text()).isEqualTo("from the child");

        PendingCall slow = client.callToolAsync("kid_slow", Map.of("millis", 30_000, "steps", 30), null);
        Thread.sleep(500);
        assertThatThrownBy(() -> client.callTool("kid_die", Map.of())).isInstanceOf(McpClientException.class);
        assertThatThrownBy(() -> slow.result().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("Upstream kid failed tools/call slow");
                    assertThat(e.data()).isEqualTo(Map.of("upstream", "kid", "tool", "slow"));
                });
        Await.until(() -> {
            try {
                return "again".equals(client.callTool("kid_echo", Map.of("message", "again")).text());
            } catch (McpClientException e) {
                return false;
            }
        }, "the child was started again and its tools federated");
    }

    private static Peregrine replica(String id) throws InterruptedException {
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .tool(io.peregrine.tool.Tool.builder("whoami").blocking(false)
                        .handler((a, ctx) -> io.peregrine.tool.ToolResult.text(id)).build())
                .build();
        p.start();
        return p;
    }

    @Test
    void replicasAreCalledInTurnAndOneThatStopsLeavesTheOtherServing() throws Exception {
        Peregrine one = replica("one");
        Peregrine two = replica("two");
        try {
            Peregrine gateway = gateway(UpstreamSpec.builder("svc")
                    .url("tcp://127.0.0.1:" + one.addresses().tcp().getPort())
                    .url("tcp://127.0.0.1:" + two.addresses().tcp().getPort())
                    .loadBalancing(LoadBalancing.ROUND_ROBIN)
                    .reconnect(Duration.ofMillis(100), Duration.ofMillis(400)).build());
            List<String> heard = new CopyOnWriteArrayList<>();
            PeregrineClient client = client(gateway, "2025-11-25", heard);
            // The second replica's link may still be opening when the first calls are made: until both
            // are up, every call goes to the one that is; then they take turns.
            java.util.Set<String> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Await.until(() -> {
                try {
                    answered.add(client.callTool("svc_whoami", Map.of()).text());
                } catch (McpClientException e) {
                    return false;
                }
                return answered.size() == 2;
            }, "both replicas answered");
            List<String> turns = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                turns.add(client.callTool("svc_whoami", Map.of()).text());
            }
            assertThat(turns).isIn(List.of("one", "two", "one", "two"), List.of("two", "one", "two", "one"));

            one.close();
            Await.until(() -> {
                try {
                    return "two".equals(client.callTool("svc_whoami", Map.of()).text())
                            && "two".equals(client.callTool("svc_whoami", Map.of()).text());
                } catch (McpClientException e) {
                    return false;
                }
            }, "every call goes to the replica that is left");
            assertThat(offers(client, "svc_whoami")).as("the upstream keeps its part while a replica serves").isTrue();
            assertThat(gateway.gateway().upstreams()).containsEntry("svc", true);
        } finally {
            one.close();
            two.close();
        }
    }
}

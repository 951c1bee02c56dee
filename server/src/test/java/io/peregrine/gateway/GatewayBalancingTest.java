package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.testing.Await;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Load balancing, active health checks and outlier ejection of one upstream's replicas, each a
 * real Peregrine server on a loopback port, through a real gateway, called by the Java client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayBalancingTest {

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** A replica that counts the calls it executes, and can be told to fail them with an internal error. */
    static final class Upstream {
        final String name;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicBoolean failing = new AtomicBoolean();
        Peregrine server;

        Upstream(String name) {
            this.name = name;
        }

        String url() {
            return "tcp://127.0.0.1:" + server.addresses().tcp().getPort();
        }
    }

    private Upstream upstream(String name) throws InterruptedException {
        Upstream u = new Upstream(name);
        Tool who = Tool.builder("who")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"tenant\":{\"type\":\"string\"}}}")
                .annotations(ToolAnnotations.builder().readOnly(true).build())
                .blocking(true)
                .handler((args, ctx) -> {
                    u.calls.incrementAndGet();
                    if (u.failing.get()) {
                        throw new RpcException(JsonRpcError.INTERNAL_ERROR, name + " is failing");
                    }
                    return ToolResult.text(name);
                })
                .build();
        u.server = Peregrine.builder().tcp("127.0.0.1", 0).tool(who).drainTimeout(Duration.ZERO).build();
        closing.add(u.server);
        u.server.start();
        return u;
    }

    private Peregrine gateway(UpstreamSpec spec) throws InterruptedException {
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0).upstream(spec).build();
        closing.add(g);
        g.start();
        return g;
    }

    private PeregrineClient client(Peregrine gateway) throws Exception {
        PeregrineClient c = PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(20)).connect();
        closing.add(c);
        return c;
    }

    private static String who(PeregrineClient c, Map<String, ?> args) {
        return c.callTool("svc_who", args).text();
    }

    private static void callIgnoringFailures(PeregrineClient c, int times) {
        for (int i = 0; i < times; i++) {
            try {
                c.callTool("svc_who", Map.of());
            } catch (McpClientException expected) {
                // a replica told to fail
            }
        }
    }

    private static EndpointStatus endpoint(Peregrine g, String target) {
        for (EndpointStatus e : g.gateway().endpoints().get(0).endpoints()) {
            if (e.target().equals(target)) {
                return e;
            }
        }
        throw new AssertionError("no endpoint " + target);
    }

    private static String metrics(Peregrine g) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        g.metrics().exposition().write("text/plain", out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The sample of {@code metric} whose labels include each of {@code labels}. */
    private static double sample(String text, String metric, String... labels) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric + "{")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample of " + metric + " with " + List.of(labels) + " in:\n" + text);
    }

    /** A 2025 link is checked with ping, a 2026-07-28 one (negotiated) with server/discover. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "negotiate"})
    void anEndpointThatStopsAnsweringPingsIsUnhealthyTakesNoCallsAndComesBackWhenItAnswers(String version) throws Exception {
        Upstream a = upstream("a");
        Upstream b = upstream("b");
        FreezableRelay relay = new FreezableRelay(b.server.addresses().tcp());
        closing.add(relay);
        Peregrine g = gateway(UpstreamSpec.builder("svc").url(a.url()).url(relay.url())
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .healthChecks(Duration.ofMillis(150), Duration.ofMillis(200), 2, 2)
                .protocolVersion(version.equals("negotiate") ? null : version)
                .build());
        PeregrineClient c = client(g);
        for (int i = 0; i < 10; i++) {
            who(c, Map.of());
        }
        assertThat(a.calls.get()).isEqualTo(5);
        assertThat(b.calls.get()).isEqualTo(5);
        Await.until(() -> sample(uncheck(() -> metrics(g)), "peregrine_gateway_health_checks_total",
                "result=\"passed\"") >= 2, "health checks passed");

        relay.freeze(true);
        Await.until(() -> endpoint(g, relay.url()).state() == EndpointStatus.State.UNHEALTHY, "b turned unhealthy");
        assertThat(endpoint(g, a.url()).state()).isEqualTo(EndpointStatus.State.READY);
        a.calls.set(0);
        b.calls.set(0);
        for (int i = 0; i < 20; i++) {
            assertThat(who(c, Map.of())).isEqualTo("a");
        }
        assertThat(a.calls.get()).isEqualTo(20);
        String ready = g.health().readiness(true);
        assertThat(ready).contains(a.url() + " ready").contains(relay.url() + " unhealthy");
        String text = metrics(g);
        String relayLabel = "endpoint=\"" + relay.url().substring("tcp://".length()) + "\"";
        assertThat(sample(text, "peregrine_gateway_endpoint_up", relayLabel, "upstream=\"svc\"")).isEqualTo(0);
        assertThat(sample(text, "peregrine_gateway_endpoint_up", "endpoint=\"" + a.url().substring(6) + "\"")).isEqualTo(1);
        assertThat(sample(text, "peregrine_gateway_health_checks_total", "upstream=\"svc\"", "result=\"failed\""))
                .isGreaterThanOrEqualTo(2);

        relay.freeze(false);
        Await.until(() -> endpoint(g, relay.url()).state() == EndpointStatus.State.READY, "b healthy again");
        assertThat(b.calls.get()).as("b executed nothing while unhealthy").isZero();
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            answered.add(who(c, Map.of()));
        }
        assertThat(answered).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void callsThatFailInARowEjectAnEndpointForAGrowingTimeNeverMoreThanTheShareAllowed() throws Exception {
        Upstream a = upstream("a");
        Upstream b = upstream("b");
        Upstream c3 = upstream("c");
        Peregrine g = gateway(UpstreamSpec.builder("svc").url(a.url()).url(b.url()).url(c3.url())
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .healthChecks(Duration.ZERO, Duration.ofSeconds(1), 2, 2)
                .outlierDetection(3, Duration.ofMillis(1_500), Duration.ofSeconds(10), 34)
                .build());
        PeregrineClient c = client(g);
        a.failing.set(true);
        b.failing.set(true);
        callIgnoringFailures(c, 15);

        List<EndpointStatus> es = g.gateway().endpoints().get(0).endpoints();
        long ejected = es.stream().filter(e -> e.state() == EndpointStatus.State.EJECTED).count();
        assertThat(ejected).as("34%% of 3 endpoints: one at most, though two fail; %s", es).isEqualTo(1);
        assertThat(g.gateway().endpoints().get(0).ejections()).isEqualTo(1);
        EndpointStatus out = es.stream().filter(e -> e.state() == EndpointStatus.State.EJECTED).findFirst().orElseThrow();
        assertThat(out.target()).isIn(a.url(), b.url());
        assertThat(out.ejectedUntil()).isAfter(Instant.now()).isBefore(Instant.now().plusMillis(1_600));
        assertThat(endpoint(g, c3.url()).state()).isEqualTo(EndpointStatus.State.READY);
        Upstream x = out.target().equals(a.url()) ? a : b;
        Upstream other = x == a ? b : a;
        assertThat(sample(metrics(g), "peregrine_gateway_ejections_total", "upstream=\"svc\"")).isEqualTo(1);
        assertThat(g.health().readiness(true)).contains(x.url() + " ejected until");

        // The ejected endpoint executes nothing, and a call's retry avoids what it tried while another is left.
        x.calls.set(0);
        other.failing.set(false);
        for (int i = 0; i < 12; i++) {
            who(c, Map.of());
        }
        assertThat(x.calls.get()).isZero();
        Endpoints endpoints = g.gateway().upstream("svc").endpoints();
        for (int i = 0; i < 20; i++) {
            Replica first = endpoints.pick(null, null);
            Replica second = endpoints.pick(null, List.of(first));
            assertThat(second).isNotSameAs(first);
            assertThat(second.target()).isNotEqualTo(x.url());
        }
        List<Replica> everyEligible = new ArrayList<>();
        for (Replica r : endpoints.all()) {
            if (!r.target().equals(x.url())) {
                everyEligible.add(r);
            }
        }
        assertThat(endpoints.pick(null, everyEligible)).as("all tried: one is tried again").isIn(everyEligible);

        // Back once its time is over; ejected again, for twice as long.
        Await.until(() -> endpoint(g, x.url()).state() == EndpointStatus.State.READY, "the ejection ended");
        callIgnoringFailures(c, 9);
        assertThat(x.calls.get()).as("back in the rotation").isGreaterThanOrEqualTo(3);
        EndpointStatus again = endpoint(g, x.url());
        assertThat(again.state()).isEqualTo(EndpointStatus.State.EJECTED);
        assertThat(again.ejections()).isEqualTo(2);
        assertThat(again.ejectedUntil()).isAfter(Instant.now().plusMillis(2_000));
        assertThat(g.gateway().endpoints().get(0).ejections()).isEqualTo(2);
    }

    @Test
    void consistentHashingKeepsASessionOnOneEndpointAndAnArgumentsValueOnItsOwn() throws Exception {
        Upstream a = upstream("a");
        Upstream b = upstream("b");
        Upstream c3 = upstream("c");
        Peregrine bySession = gateway(UpstreamSpec.builder("svc").url(a.url()).url(b.url()).url(c3.url())
                .loadBalancing(LoadBalancing.CONSISTENT_HASH).hashKey("session").build());
        // A TCP session's key is its client's address, whose port is the system's choice: at least 6 clients,
        // and on until two endpoints have been picked (up to 30; all on one of three by chance is then 3^-29).
        Set<String> used = new HashSet<>();
        for (int client = 0; client < 30 && (client < 6 || used.size() < 2); client++) {
            PeregrineClient c = client(bySession);
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                answered.add(who(c, Map.of()));
            }
            assertThat(answered).as("one session, one endpoint").hasSize(1);
            used.addAll(answered);
        }
        assertThat(used).as("sessions spread over the endpoints").hasSizeGreaterThan(1);

        Peregrine byTenant = gateway(UpstreamSpec.builder("svc").url(a.url()).url(b.url()).url(c3.url())
                .loadBalancing(LoadBalancing.CONSISTENT_HASH).hashKey("argument:tenant").build());
        PeregrineClient c = client(byTenant);
        Set<String> tenantsOn = new HashSet<>();
        for (int t = 0; t < 12; t++) {
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                answered.add(who(c, Map.of("tenant", "tenant-" + t)));
            }
            assertThat(answered).as("tenant-%d on one endpoint", t).hasSize(1);
            tenantsOn.addAll(answered);
        }
        assertThat(tenantsOn).hasSizeGreaterThan(1);
    }

    @Test
    void consistentHashingOnThePrincipalKeepsEachUsersConnectionsOnOneEndpoint() throws Exception {
        Upstream a = upstream("a");
        Upstream b = upstream("b");
        Upstream c3 = upstream("c");
        io.peregrine.policy.ApiKeyAuthenticator.Builder keys = io.peregrine.policy.ApiKeyAuthenticator.builder();
        // Where each user lands depends on the endpoints' ports too: 16 users all on one of three is 3^-15.
        for (int u = 0; u < 16; u++) {
            keys.key("user" + u, "user" + u + "-key-0123456789", List.of("tool:*"));
        }
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0)
                .policy(io.peregrine.policy.PolicyChain.builder().authenticator("tcp", keys.build()).build())
                .upstream(UpstreamSpec.builder("svc").url(a.url()).url(b.url()).url(c3.url())
                        .loadBalancing(LoadBalancing.CONSISTENT_HASH).hashKey("principal").build())
                .build();
        closing.add(g);
        g.start();
        Set<String> used = new HashSet<>();
        for (int u = 0; u < 16; u++) {
            Set<String> answered = new HashSet<>();
            for (int connection = 0; connection < 2; connection++) {
                PeregrineClient c = PeregrineClient.builder().address(g.addresses().tcp()).protocolVersion("2025-11-25")
                        .authorization("Bearer user" + u + "-key-0123456789").connect();
                closing.add(c);
                for (int i = 0; i < 4; i++) {
                    answered.add(who(c, Map.of()));
                }
            }
            assertThat(answered).as("user%d's two connections on one endpoint", u).hasSize(1);
            used.addAll(answered);
        }
        assertThat(used).as("users spread over the endpoints").hasSizeGreaterThan(1);
    }

    @Test
    void unknownKeysOfBalancingAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> UpstreamSpec.builder("svc").hashKey("tenant"))
                .hasMessageContaining("principal, session or argument:<name>");
        assertThatThrownBy(() -> UpstreamSpec.builder("svc").weight("h:1", 0)).hasMessageContaining("1 to 1000");
        assertThatThrownBy(() -> UpstreamSpec.builder("svc").outlierDetection(3, Duration.ofSeconds(10),
                Duration.ofSeconds(1), 50)).hasMessageContaining("maxEjection");
    }

    private interface Io<T> {
        T get() throws Exception;
    }

    private static <T> T uncheck(Io<T> io) {
        try {
            return io.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.testing.RawHttp;
import io.peregrine.demo.EchoTool;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions across replicas without shared storage ({@code gateway.session-key}): two gateways with
 * one key in front of one upstream Peregrine, a client starting its session on one and carrying on
 * at the other; ids that must not open (forged, tampered, another key's, expired, deleted) get 404;
 * and two plain servers with one key behave the same way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SealedSessionsTest {

    private static final String KEY = "sealed-sessions-test-key-0123456789";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"roots\":{}},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    private static final String VERSION = "MCP-Protocol-Version: 2025-11-25";

    private static final List<Peregrine> servers = new ArrayList<>();
    private static Peregrine upstream;
    private static Peregrine gatewayA;
    private static Peregrine gatewayB;

    @BeforeAll
    static void start() throws Exception {
        upstream = started(Peregrine.builder().tcp("127.0.0.1", 0).tool(EchoTool.create()));
        gatewayA = gateway(KEY, Duration.ofHours(24));
        gatewayB = gateway(KEY, Duration.ofHours(24));
    }

    @AfterAll
    static void stop() {
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).close();
        }
    }

    private static Peregrine started(Peregrine.Builder b) throws Exception {
        Peregrine p = b.build();
        servers.add(p);
        p.start();
        return p;
    }

    private static Peregrine gateway(String key, Duration maxAge) throws Exception {
        return started(Peregrine.builder().noTcp().http("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("up").url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort()).build())
                .sessionKey(key).sessionMaxAge(maxAge));
    }

    private static RawHttp http(Peregrine p) throws IOException {
        return new RawHttp(p.addresses().http());
    }

    /** Initializes at {@code p}; the session id of its answer. */
    private static String initialize(Peregrine p) throws IOException {
        try (RawHttp h = http(p)) {
            RawHttp.Response r = h.postJson("/mcp", INITIALIZE).read();
            assertThat(r.status).isEqualTo(200);
            String id = r.header("mcp-session-id");
            assertThat(h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                    "Mcp-Session-Id: " + id, VERSION).read().status).isEqualTo(202);
            return id;
        }
    }

    private static RawHttp.Response post(Peregrine p, String id, String body) throws IOException {
        try (RawHttp h = http(p)) {
            return h.postJson("/mcp", body, "Mcp-Session-Id: " + id, VERSION).read();
        }
    }

    private static RawHttp.Response toolsList(Peregrine p, String id) throws IOException {
        return post(p, id, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    }

    private static RawHttp.Response echo(Peregrine p, String id, String name, String message) throws IOException {
        return post(p, id, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + name
                + "\",\"arguments\":{\"message\":\"" + message + "\"}}}");
    }

    private static void assertNotFound(RawHttp.Response r) {
        assertThat(r.status).isEqualTo(404);
        assertThat(r.body).contains("\"code\":-32600").contains("Session not found");
    }

    @Test
    void aSessionStartedAtOneGatewayIsServedByTheOther() throws Exception {
        String id = initialize(gatewayA);
        System.out.println("sealed Mcp-Session-Id: " + id.length() + " characters");
        assertThat(id).matches("[A-Za-z0-9_-]+");
        RawHttp.Response list = toolsList(gatewayB, id);
        assertThat(list.status).isEqualTo(200);
        assertThat(list.body).contains("\"up_echo\"");
        RawHttp.Response call = echo(gatewayB, id, "up_echo", "through B");
        assertThat(call.status).isEqualTo(200);
        assertThat(call.body).contains("through B").doesNotContain("\"error\"");
        assertThat(echo(gatewayA, id, "up_echo", "back at A").body).contains("back at A");
        assertThat(gatewayA.settings().toString()).as("the key is never shown")
                .contains("gateway.session-key=(set)").doesNotContain(KEY);
    }

    @Test
    void theOtherGatewaySendsNotificationsOnTheSessionsGetStream() throws Exception {
        String id = initialize(gatewayA);
        try (RawHttp get = http(gatewayB)) {
            get.request("GET", "/mcp", "Accept: text/event-stream", "Mcp-Session-Id: " + id, VERSION);
            RawHttp.Response head = get.readHead();
            assertThat(head.status).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("text/event-stream");
            gatewayB.tools().add(Tool.builder("late").handler((args, ctx) -> ToolResult.text("late")).build());
            String event;
            do {
                event = get.nextChunk();
            } while (event != null && !event.contains("notifications/tools/list_changed"));
            assertThat(event).as("the list change reaches the stream on B").isNotNull();
        }
    }

    @Test
    void idsThatDoNotOpenAreNotFound() throws Exception {
        String id = initialize(gatewayA);
        char[] tampered = id.toCharArray();
        int middle = tampered.length / 2;
        tampered[middle] = tampered[middle] == 'A' ? 'B' : 'A';
        assertNotFound(toolsList(gatewayB, new String(tampered)));
        assertNotFound(toolsList(gatewayB, id.substring(0, id.length() - 4)));
        assertNotFound(toolsList(gatewayB, "AQ" + id.substring(2).replace('a', 'b').replace('c', 'd')));
        assertNotFound(toolsList(gatewayB, "nope"));

        Peregrine otherKey = gateway("another-key-of-enough-length", Duration.ofHours(24));
        assertNotFound(toolsList(otherKey, id));
        assertNotFound(toolsList(gatewayA, initialize(otherKey)));

        Peregrine shortLived = gateway(KEY, Duration.ofMillis(1));
        Thread.sleep(5); // the id is more than 1 ms old now
        assertNotFound(toolsList(shortLived, id));
        assertThat(toolsList(gatewayB, id).status).as("the same id is still young enough for B").isEqualTo(200);
    }

    @Test
    void hashingOnTheSessionPicksTheSameUpstreamEndpointFromEitherGateway() throws Exception {
        Peregrine left = started(Peregrine.builder().tcp("127.0.0.1", 0).tool(named("left")));
        Peregrine right = started(Peregrine.builder().tcp("127.0.0.1", 0).tool(named("right")));
        Peregrine[] gateways = new Peregrine[2];
        for (int i = 0; i < 2; i++) {
            gateways[i] = started(Peregrine.builder().noTcp().http("127.0.0.1", 0).sessionKey(KEY)
                    .upstream(UpstreamSpec.builder("pair").url("tcp://127.0.0.1:" + left.addresses().tcp().getPort())
                            .url("tcp://127.0.0.1:" + right.addresses().tcp().getPort()).loadBalancing(LoadBalancing.CONSISTENT_HASH)
                            .hashKey("session").build()));
        }
        // Session ids are random, so which endpoint a session hashes to is too: at least 8 sessions, and on
        // until both endpoints have been picked (up to 64: all on one side by chance is then below 2^-60).
        List<String> answered = new ArrayList<>();
        for (int session = 0; session < 64 && (session < 8 || !answered.containsAll(List.of("left", "right"))); session++) {
            String id = initialize(gateways[0]);
            String first = post(gateways[0], id, WHO).body;
            String second = post(gateways[1], id, WHO).body;
            assertThat(second).as("session " + session).isEqualTo(first);
            answered.add(first.contains("left") ? "left" : "right");
        }
        System.out.println("endpoints of " + answered.size() + " sessions: " + answered);
        assertThat(answered).as("sessions spread over the endpoints").contains("left", "right");
    }

    private static final String WHO = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"pair_who\",\"arguments\":{}}}";

    private static Tool named(String name) {
        return Tool.builder("who").handler((args, ctx) -> ToolResult.text("endpoint " + name)).build();
    }

    @Test
    void deleteEndsTheSessionOnTheReplicaThatGetsIt() throws Exception {
        String id = initialize(gatewayA);
        assertThat(toolsList(gatewayB, id).status).isEqualTo(200);
        try (RawHttp h = http(gatewayB)) {
            assertThat(h.request("DELETE", "/mcp", "Mcp-Session-Id: " + id).read().status).isEqualTo(200);
        }
        assertNotFound(toolsList(gatewayB, id));
        // No shared storage: A has not heard of the DELETE, and serves the id until its max age.
        assertThat(toolsList(gatewayA, id).status).isEqualTo(200);
    }

    @Test
    void plainServersWithOneKeyShareSessionsToo() throws Exception {
        Peregrine one = started(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create())
                .sessionKey(KEY));
        Peregrine two = started(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create())
                .sessionKey(KEY));
        String id = initialize(one);
        assertThat(echo(two, id, "echo", "plain").body).contains("plain");
    }

    @Test
    void withoutAKeySessionsStayWhereTheyStarted() throws Exception {
        Peregrine one = started(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create()));
        Peregrine two = started(Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create()));
        String id = initialize(one);
        assertThat(id).hasSize(43); // 256 random bits
        assertThat(echo(one, id, "echo", "here").body).contains("here");
        assertNotFound(toolsList(two, id));
    }
}

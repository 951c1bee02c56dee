package io.peregrine.transport.http;

import io.peregrine.Peregrine;
import io.peregrine.demo.CountdownTool;
import io.peregrine.policy.JwtAuthenticator;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.Tokens;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.Gates;
import io.peregrine.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/1.1 answers in request order, whoever produces them: every kind of answer the listener
 * gives before a request reaches the MCP core (health, readiness, the RFC 9728 document, 401,
 * 403, 404, 405, 406, 413, 415), pipelined on one connection behind a call that is still
 * running, comes back after that call's answer. The call ends when the test opens its gate, after
 * the pipelined request has been sent; the assertions are on the order of the bytes read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipeliningOrderTest {

    private static final int MAX_BODY = 4 * 1024;
    private static final String META = "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}";

    /** The call ahead: its answer is a plain JSON response, or an SSE stream that starts with a progress event. */
    enum Slow { JSON, SSE }

    private final Gates gates = new Gates();
    private Peregrine open;
    private Peregrine secured;
    private String token;

    @BeforeAll
    void start() throws Exception {
        open = Peregrine.builder().tool(gates.tool("gate")).tool(CountdownTool.create()).noTcp().http("127.0.0.1", 0)
                .maxBodyBytes(MAX_BODY).sseKeepAlive(Duration.ZERO).build();
        open.start();
        JwtAuthenticator jwt = JwtAuthenticator.builder().hs256Secret(Tokens.SECRET).audience("peregrine").build();
        secured = Peregrine.builder().tool(gates.tool("gate")).noTcp().http("127.0.0.1", 0).sseKeepAlive(Duration.ZERO)
                .policy(PolicyChain.builder().authenticator("http", jwt).build()).build();
        secured.start();
        token = Tokens.hs256(Tokens.claims("alice", "tool:gate").build());
    }

    @AfterEach
    void openGates() {
        gates.openAll();
    }

    @AfterAll
    void stop() {
        open.close();
        secured.close();
    }

    /** One request answered before it reaches the MCP core, and what its answer says. */
    static final class Early {
        final String name;
        final boolean needsPolicy;
        final String request;
        final int status;
        final String bodyPart;
        final boolean closes;

        Early(String name, boolean needsPolicy, String request, int status, String bodyPart, boolean closes) {
            this.name = name;
            this.needsPolicy = needsPolicy;
            this.request = request;
            this.status = status;
            this.bodyPart = bodyPart;
            this.closes = closes;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static String get(String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines(headers) + "\r\n";
    }

    private static String post(String path, String body, String... headers) {
        return RawHttp.postText(path, body, headers);
    }

    private static String lines(String... headers) {
        StringBuilder b = new StringBuilder();
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.toString();
    }

    static List<Early> earlyAnswers() {
        String echo = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\",\"params\":{\"_meta\":{" + META + "}}}";
        String[] modern = {"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list"};
        String json = "Content-Type: application/json";
        String accept = "Accept: application/json, text/event-stream";
        return List.of(
                new Early("GET /health", false, get("/health"), 200, "\"up\"", false),
                new Early("GET /ready", false, get("/ready"), 200, "\"ready\"", false),
                new Early("GET /metrics", false, get("/metrics"), 200, "peregrine_connections", false),
                new Early("401 for /metrics without a token", true, get("/metrics"), 401, "-31002", true),
                new Early("401 without a token", true, post("/mcp", echo, json, accept, modern[0], modern[1]), 401,
                        "-31002", true),
                new Early("403 for a foreign Origin", false, post("/mcp", echo, json, accept, modern[0], modern[1],
                        "Origin: http://evil.example"), 403, "evil.example", false),
                new Early("404 for another path", false, get("/elsewhere"), 404, "/mcp", false),
                new Early("405 for PUT", false, "PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 405,
                        "POST, GET and DELETE", false),
                new Early("406 for an Accept without event streams", false, post("/mcp", echo, json,
                        "Accept: application/json", modern[0], modern[1]), 406, "text/event-stream", false),
                new Early("413 for a body over http.max-body-size", false, post("/mcp", "x".repeat(2 * MAX_BODY), json, accept),
                        413, String.valueOf(MAX_BODY), true),
                new Early("415 for a body that is not JSON", false, post("/mcp", echo, "Content-Type: text/plain", accept),
                        415, "Content-Type text/plain", false),
                new Early("the RFC 9728 document", true, get("/.well-known/oauth-protected-resource"), 200,
                        "authorization_servers", false));
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Slow slow : Slow.values()) {
            for (Early early : earlyAnswers()) {
                all.add(Arguments.of(early, slow));
            }
        }
        return all.stream();
    }

    private String slowCall(String gate, Slow slow, boolean withToken) {
        String progress = slow == Slow.SSE ? "\"progressToken\":\"p\"," : "";
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\","
                + "\"arguments\":{\"gate\":\"" + gate + "\"},\"_meta\":{" + progress + META + "}}}";
        List<String> headers = new ArrayList<>(List.of("Content-Type: application/json",
                "Accept: application/json, text/event-stream", "MCP-Protocol-Version: 2026-07-28",
                "Mcp-Method: tools/call", "Mcp-Name: gate"));
        if (withToken) {
            headers.add("Authorization: Bearer " + token);
        }
        return post("/mcp", body, headers.toArray(new String[0]));
    }

    @ParameterizedTest(name = "{0} behind a slow {1} call")
    @MethodSource("cases")
    void anEarlyAnswerComesAfterTheCallAheadOfIt(Early early, Slow slow) throws Exception {
        Peregrine server = early.needsPolicy ? secured : open;
        String gate = early.name + " behind " + slow;
        try (RawHttp h = new RawHttp(server.addresses().http())) {
            // Both requests in one write: the server reads the second while the first is running.
            h.write(slowCall(gate, slow, early.needsPolicy) + early.request);
            gates.awaitEntered(gate);
            String callBody;
            if (slow == Slow.SSE) {
                RawHttp.Response head = h.readHead();
                assertThat(head.status).as("the call's answer comes first").isEqualTo(200);
                assertThat(head.header("content-type")).isEqualTo("text/event-stream");
                assertThat(h.nextChunk()).contains("notifications/progress");
                assertThat(h.socket().getInputStream().available()).as("nothing more while the call runs").isZero();
                gates.open(gate);
                StringBuilder rest = new StringBuilder();
                for (String chunk; (chunk = h.nextChunk()) != null; ) {
                    rest.append(chunk);
                }
                callBody = rest.toString();
            } else {
                assertThat(h.socket().getInputStream().available()).as("nothing while the call runs").isZero();
                gates.open(gate);
                RawHttp.Response answer = h.read();
                assertThat(answer.status).as("the call's answer comes first: " + answer).isEqualTo(200);
                assertThat(answer.header("content-type")).isEqualTo("application/json");
                callBody = answer.body;
            }
            assertThat(callBody).contains("opened " + gate);

            RawHttp.Response second = h.read();
            assertThat(second.status).as(second.toString()).isEqualTo(early.status);
            assertThat(second.body).contains(early.bodyPart);
            if (early.closes) {
                assertThat(h.closedByServer()).as("the early answer closes the connection after it").isTrue();
            } else {
                RawHttp.Response after = h.request("GET", "/health").read();
                assertThat(after.status).as("the connection stays open").isEqualTo(200);
            }
        }
    }

    @Test
    void healthPipelinedBehindACountdownComesSecond() throws Exception {
        try (RawHttp h = new RawHttp(open.addresses().http())) {
            h.write(post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"countdown\","
                            + "\"arguments\":{\"seconds\":1},\"_meta\":{" + META + "}}}", "Content-Type: application/json",
                    "Accept: application/json, text/event-stream", "MCP-Protocol-Version: 2026-07-28",
                    "Mcp-Method: tools/call", "Mcp-Name: countdown") + get("/health"));
            RawHttp.Response first = h.read();
            assertThat(first.status).as(first.toString()).isEqualTo(200);
            assertThat(at(JsonTree.parse(first.body), "result.content.0.text")).isEqualTo("counted down from 1");
            RawHttp.Response second = h.read();
            assertThat(second.body).isEqualTo("{\"status\":\"up\"}");
        }
    }
}

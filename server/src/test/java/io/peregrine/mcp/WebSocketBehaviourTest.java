package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.WebSocketSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/** The MCP behaviour kit over WebSocket with the JDK's client, and what WebSocket adds of its own. */
class WebSocketBehaviourTest extends McpBehaviourKit {

    private Peregrine server;

    @BeforeAll
    void start() throws Exception {
        server = standardServer().noTcp().http("127.0.0.1", 0).build();
        server.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Override
    protected boolean carriesRawBytes() {
        return false;
    }

    @Override
    protected McpSession session() {
        return new WebSocketSession(server, false);
    }

    @Override
    protected McpSession session(Peregrine.Builder spec) throws Exception {
        Peregrine own = spec.noTcp().http("127.0.0.1", 0).build();
        own.start();
        return new WebSocketSession(own, true);
    }

    @Test
    void negotiatesTheMcpSubprotocolAndAcceptsClientsWithout() throws Exception {
        try (WebSocketSession with = new WebSocketSession(server, false, "/mcp", "mcp");
             WebSocketSession without = new WebSocketSession(server, false, "/mcp/ws")) {
            assertThat(with.subprotocol()).isEqualTo("mcp");
            assertThat(without.subprotocol()).isEmpty();
            assertThat(at(without.initialize("2025-11-25"), "protocolVersion")).isEqualTo("2025-11-25");
        }
    }

    @Test
    void binaryFramesCloseWith1003() throws Exception {
        try (WebSocketSession s = new WebSocketSession(server, false)) {
            s.socket().sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
            assertThat(s.readLine()).isNull();
            assertThat(s.closeCode()).isEqualTo(1003);
            assertThat(s.closeReason()).contains("text frame");
        }
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() throws Exception {
        try (Peregrine small = Peregrine.builder().tool(EchoTool.create()).noTcp().http("127.0.0.1", 0)
                .maxLineLength(64 * 1024).maxFrameBytes(16 * 1024).build()) {
            small.start();
            try (WebSocketSession s = new WebSocketSession(small, false)) {
                s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(100_000) + "\"}}");
                assertThat(s.readLine()).isNull();
                assertThat(s.closeCode()).isEqualTo(1009);
            }
        }
    }

    @Test
    void plainHttpToAnyPathIs404() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/elsewhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("/mcp");
    }

    @Test
    void healthAndReadinessOnTheSamePort() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.addresses().http().getPort();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"up\"}");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);

        Peregrine other = Peregrine.builder().noTcp().http("127.0.0.1", 0).build();
        assertThat(other.isReady()).isFalse();
        other.start();
        assertThat(other.isReady()).isTrue();
        other.close();
        assertThat(other.isReady()).isFalse();
    }

    @Test
    void aForbiddenOriginGets403AndAnAllowedOneUpgrades() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI ws = URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
        HttpResponse<String> evil = http.send(HttpRequest.newBuilder(ws).header("Origin", "https://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("https://evil.example").contains("http.allowed-origins");
        java.net.http.WebSocket socket = http.newWebSocketBuilder().header("Origin", "http://localhost:5173")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp"),
                        new java.net.http.WebSocket.Listener() { }).join();
        socket.abort();
        assertThatThrownByOrigin(http, "http://localhost.evil.example:80");
    }

    private void assertThatThrownByOrigin(HttpClient http, String origin) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.newWebSocketBuilder().header("Origin", origin)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp"),
                        new java.net.http.WebSocket.Listener() { }).join())
                .hasStackTraceContaining("403");
    }

    @Test
    void fragmentedMessagesAreJoined() throws Exception {
        try (WebSocketSession s = new WebSocketSession(server, false)) {
            s.initialize("2025-11-25");
            s.socket().sendText("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",", false).join();
            s.socket().sendText("\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"in two\"}}}", true).join();
            Map<String, Object> r = s.readJson();
            assertThat(at(r, "result.content.0.text")).isEqualTo("in two");
        }
    }
}

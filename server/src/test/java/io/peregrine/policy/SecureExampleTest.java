package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.config.ConfigException;
import io.peregrine.launcher.Main;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** config/examples/secure.yaml does what the README says. */
@SuppressWarnings("unchecked")
class SecureExampleTest {

    private static final Path FILE = Files.exists(Path.of("config/examples/secure.yaml"))
            ? Path.of("config/examples/secure.yaml") : Path.of("../config/examples/secure.yaml");

    private static final Map<String, String> ENV = Map.of("PEREGRINE_JWT_SECRET", Tokens.SECRET,
            "PEREGRINE_TCP_PORT", "0", "PEREGRINE_HTTP_PORT", "0");

    private static String token(String subject, String scope) {
        return "Bearer " + Tokens.hs256(Tokens.claims(subject, scope).build());
    }

    @Test
    void tokensScopesAndFiveEchoesAMinute() throws Exception {
        try (Peregrine server = Main.start(new String[] {"--config", FILE.toString()}, ENV)) {
            assertThatThrownBy(() -> PeregrineClient.builder().address(server.addresses().tcp()).connect())
                    .isInstanceOfSatisfying(McpClientException.class,
                            e -> assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED));
            try (PeregrineClient reader = PeregrineClient.builder().address(server.addresses().tcp())
                    .authorization(token("reader", "tool:fs.*")).connect()) {
                assertThat(reader.listTools()).extracting(t -> t.get("name")).doesNotContain("echo").contains("fs.read");
                assertThatThrownBy(() -> reader.callTool("echo", Map.of("message", "hi")))
                        .isInstanceOfSatisfying(McpClientException.class, e -> {
                            assertThat(e.code()).isEqualTo(JsonRpcError.FORBIDDEN);
                            assertThat((Map<String, Object>) e.data()).containsEntry("scope", "tool:echo");
                        });
            }
            try (PeregrineClient alice = PeregrineClient.builder().address(server.addresses().tcp())
                    .authorization(token("alice", "tool:echo")).connect()) {
                for (int i = 0; i < 5; i++) {
                    assertThat(alice.callTool("echo", Map.of("message", "m" + i)).text()).isEqualTo("m" + i);
                }
                assertThatThrownBy(() -> alice.callTool("echo", Map.of("message", "sixth")))
                        .isInstanceOfSatisfying(McpClientException.class, e -> {
                            assertThat(e.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
                            Map<String, Object> data = (Map<String, Object>) e.data();
                            assertThat(data).containsEntry("httpStatus", 429L).containsEntry("limit", "principal-tool");
                            assertThat((Long) data.get("retryAfterMs")).isBetween(1L, 60_000L);
                        });
            }
            String ws = "ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp";
            assertThat(PolicyTestServer.Ws.refusal(ws, null).statusCode()).isEqualTo(401);
            try (PolicyTestServer.Ws bob = PolicyTestServer.Ws.open(ws, token("bob", "tool:echo")).join()) {
                assertThat(bob.request(JwtAuthenticationTest.call(1, null))).contains("\"text\":\"hi\"");
            }
        }
    }

    @Test
    void theSecretComesFromTheEnvironmentOnly() {
        assertThatThrownBy(() -> Main.start(new String[] {"--config", FILE.toString()},
                Map.of("PEREGRINE_TCP_PORT", "0", "PEREGRINE_HTTP_PORT", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PEREGRINE_JWT_SECRET is not set");
    }

    @Test
    void aListenerWithoutAuthenticationStaysOnLoopback() {
        assertThatThrownBy(() -> Main.start(new String[] {"--set", "tcp.host=0.0.0.0", "--set", "tcp.port=0",
                "--set", "http.enabled=false"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tcp.host : 0.0.0.0 with tcp.auth none");
    }
}

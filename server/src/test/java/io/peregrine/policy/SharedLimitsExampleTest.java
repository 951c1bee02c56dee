package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.launcher.Main;
import io.peregrine.policy.redis.RedisServer;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scaling guide's example: two servers started with {@code --config config/examples/secure.yaml
 * --set redis.uri=...} on their own ports admit exactly 5 {@code echo} calls a minute per principal
 * between them, wherever the calls land and over whichever transport.
 */
@SuppressWarnings("unchecked")
class SharedLimitsExampleTest {

    private static final Path FILE = Files.exists(Path.of("config/examples/secure.yaml"))
            ? Path.of("config/examples/secure.yaml") : Path.of("../config/examples/secure.yaml");

    private static final Map<String, String> ENV = Map.of("PEREGRINE_JWT_SECRET", Tokens.SECRET,
            "PEREGRINE_TCP_PORT", "0", "PEREGRINE_HTTP_PORT", "0");

    private static String token(String subject) {
        return "Bearer " + Tokens.hs256(Tokens.claims(subject, "tool:echo").build());
    }

    private static Peregrine replica(RedisServer redis, String... sets) throws InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("--config", FILE.toString(), "--set",
                "redis.uri=" + redis.uri()));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return Main.start(args.toArray(String[]::new), ENV);
    }

    @Test
    void failClosedRefusesWithTheStoreNamedWhileRedisIsGoneAndAdmitsOnceItIsBack() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Peregrine server = replica(redis, "limits.redis-failure=fail-closed");
             PeregrineClient carol = PeregrineClient.builder().address(server.addresses().tcp())
                     .authorization(token("carol")).connect()) {
            assertThat(carol.callTool("echo", Map.of("message", "before")).text()).isEqualTo("before");
            redis.stop();
            McpClientException refused = org.junit.jupiter.api.Assertions.assertThrows(McpClientException.class,
                    () -> carol.callTool("echo", Map.of("message", "during")));
            assertThat(refused.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
            assertThat((Map<String, Object>) refused.data()).containsEntry("limit", "shared-store")
                    .containsEntry("httpStatus", 429L).containsKey("retryAfterMs");
            assertThat(refused.getMessage()).contains("shared through Redis").contains("fail-closed");
            redis.restart();
            // Lettuce reconnects by itself: poll, bounded, until a call is admitted again.
            String answer = null;
            for (int i = 0; i < 600 && answer == null; i++) {
                try {
                    answer = carol.callTool("echo", Map.of("message", "after")).text();
                } catch (McpClientException e) {
                    assertThat((Map<String, Object>) e.data()).containsEntry("limit", "shared-store");
                    Thread.sleep(50);
                }
            }
            assertThat(answer).isEqualTo("after");
        }
    }

    @Test
    void aMissingPasswordVariableOrAnUnknownFailureModeStopsTheStart() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> replica(redis, "redis.password-env=NO_SUCH_VARIABLE"))
                    .isInstanceOf(io.peregrine.config.ConfigException.class)
                    .hasMessageContaining("redis.password-env").hasMessageContaining("NO_SUCH_VARIABLE is not set");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> replica(redis, "limits.redis-failure=maybe"))
                    .isInstanceOf(io.peregrine.config.ConfigException.class)
                    .hasMessageContaining("limits.redis-failure").hasMessageContaining("fail-open or fail-closed");
        }
    }

    @Test
    void twoReplicasAdmitFiveEchoesAMinutePerPrincipalBetweenThem() throws Exception {
        try (RedisServer redis = RedisServer.start(); Peregrine a = replica(redis); Peregrine b = replica(redis)) {
            for (String who : List.of("alice", "bob")) {
                try (PeregrineClient onA = PeregrineClient.builder().address(a.addresses().tcp())
                        .authorization(token(who)).connect();
                     PeregrineClient onB = PeregrineClient.builder().address(b.addresses().tcp())
                             .authorization(token(who)).connect();
                     PolicyTestServer.Ws wsOnB = PolicyTestServer.Ws.open("ws://127.0.0.1:"
                             + b.addresses().http().getPort() + "/mcp", token(who)).join()) {
                    int admitted = 0;
                    for (int i = 0; i < 12; i++) {
                        if (i % 3 == 2) {
                            String answer = wsOnB.request(JwtAuthenticationTest.call(100 + i, null));
                            if (answer.contains("\"text\":\"hi\"")) {
                                admitted++;
                            } else {
                                assertThat(answer).contains(Integer.toString(JsonRpcError.RATE_LIMITED));
                            }
                            continue;
                        }
                        PeregrineClient client = i % 3 == 0 ? onA : onB;
                        try {
                            assertThat(client.callTool("echo", Map.of("message", "m" + i)).text()).isEqualTo("m" + i);
                            admitted++;
                        } catch (McpClientException e) {
                            assertThat(e.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
                            assertThat((Map<String, Object>) e.data()).containsEntry("limit", "principal-tool");
                        }
                    }
                    assertThat(admitted).as("echo calls of %s admitted by both replicas together", who).isEqualTo(5);
                }
            }
        }
    }
}

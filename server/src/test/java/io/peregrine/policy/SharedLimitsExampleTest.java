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

    private static Peregrine replica(RedisServer redis) throws InterruptedException {
        return Main.start(new String[] {"--config", FILE.toString(), "--set", "redis.uri=" + redis.uri()}, ENV);
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

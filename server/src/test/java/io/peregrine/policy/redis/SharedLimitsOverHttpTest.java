package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.launcher.Main;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared limits decided off the event loop over Streamable HTTP, where each request is an exchange
 * of its own: a 2025 session and 2026-07-28 stateless requests (and TCP beside them) draw on one
 * budget in Redis, each call answered on its own exchange once Redis has decided.
 */
class SharedLimitsOverHttpTest {

    @Test
    void sessionStatelessAndTcpCallsShareOneBudget() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Peregrine server = Main.start(new String[] {"--set", "redis.uri=" + redis.uri(),
                     "--set", "limits.per-principal-tool=echo=6/1m", "--set", "tcp.port=0", "--set", "http.port=0"}, Map.of())) {
            String url = "http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp";
            try (PeregrineClient session = PeregrineClient.builder().url(url).protocolVersion("2025-11-25").connect();
                 PeregrineClient stateless = PeregrineClient.builder().url(url).protocolVersion("2026-07-28").connect();
                 PeregrineClient tcp = PeregrineClient.builder().address(server.addresses().tcp()).connect()) {
                PeregrineClient[] clients = {session, stateless, tcp};
                int admitted = 0;
                McpClientException last = null;
                for (int i = 0; i < 9; i++) {
                    try {
                        assertThat(clients[i % 3].callTool("echo", Map.of("message", "m" + i)).text()).isEqualTo("m" + i);
                        admitted++;
                    } catch (McpClientException e) {
                        last = e;
                    }
                }
                assertThat(admitted).isEqualTo(6);
                assertThat(last.code()).isEqualTo(JsonRpcError.RATE_LIMITED);
                assertThat(last.getMessage()).contains("anonymous may call echo at most 6 per minute");
            }
        }
    }
}

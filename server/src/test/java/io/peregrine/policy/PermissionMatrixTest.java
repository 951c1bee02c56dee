package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may list and call what, for every principal and tool, over TCP in both eras and over
 * WebSocket, with API keys.
 */
@SuppressWarnings("unchecked")
class PermissionMatrixTest {

    private static final List<String> TOOLS = List.of("echo", "fs.list", "fs.read", "secret");
    private static final Map<String, String> KEYS = Map.of(
            "alice", "alice-key-0123456789", "bob", "bob-key-01234567890",
            "carol", "carol-key-0123456789", "dave", "dave-key-01234567890");
    private static final Map<String, List<String>> CAN = Map.of(
            "alice", List.of("echo"),
            "bob", List.of("fs.list", "fs.read"),
            "carol", TOOLS,
            "dave", List.of());
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
                .key("alice", KEYS.get("alice"), List.of("tool:echo"))
                .key("bob", KEYS.get("bob"), List.of("tool:fs.*", "openid"))
                .key("carol", KEYS.get("carol"), List.of("tool:*"))
                .digest("dave", ApiKeyAuthenticator.sha256Hex(KEYS.get("dave")), List.of())
                .build();
        server = PolicyTestServer.start(PolicyChain.builder().authenticator("tcp", keys).authenticator("ws", keys).build(),
                TOOLS.stream().map(PolicyTestServer::tool).toArray(io.peregrine.tool.Tool[]::new));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> principals() {
        return Stream.of("alice", "bob", "carol", "dave").flatMap(p -> Stream.of(
                Arguments.of(p, "2025-11-25"), Arguments.of(p, "2026-07-28")));
    }

    @ParameterizedTest(name = "{0} over TCP, {1}")
    @MethodSource("principals")
    void overTcp(String principal, String version) throws Exception {
        try (PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp()).protocolVersion(version)
                .authorization("Bearer " + KEYS.get(principal)).connect()) {
            List<String> listed = new ArrayList<>();
            for (Map<String, Object> t : c.listTools()) {
                listed.add((String) t.get("name"));
            }
            assertThat(listed).containsExactlyElementsOf(CAN.get(principal));
            for (String tool : TOOLS) {
                if (CAN.get(principal).contains(tool)) {
                    assertThat(c.callTool(tool, Map.of("message", "m")).text()).isEqualTo(tool + ":m");
                } else {
                    assertThatThrownBy(() -> c.callTool(tool, Map.of("message", "m")))
                            .isInstanceOfSatisfying(McpClientException.class, e -> {
                                assertThat(e.code()).isEqualTo(JsonRpcError.FORBIDDEN);
                                assertThat(e.getMessage()).contains(principal + " may not use tool " + tool)
                                        .contains("insufficient_scope").contains("tool:" + tool);
                                assertThat((Map<String, Object>) e.data()).containsEntry("httpStatus", 403L)
                                        .containsEntry("error", "insufficient_scope").containsEntry("scope", "tool:" + tool);
                            });
                }
            }
            // An unknown tool is refused as forbidden unless the principal may call anything: no existence leak.
            assertThatThrownBy(() -> c.callTool("nope", Map.of()))
                    .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.code())
                            .isEqualTo(principal.equals("carol") ? JsonRpcError.INVALID_PARAMS : JsonRpcError.FORBIDDEN));
        }
    }

    @ParameterizedTest(name = "{0} over WebSocket")
    @MethodSource("principals")
    void overWebSocket(String principal, String version) throws Exception {
        if (!version.equals("2026-07-28")) {
            return;
        }
        String uri = "ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp";
        try (PolicyTestServer.Ws ws = PolicyTestServer.Ws.open(uri, "Bearer " + KEYS.get(principal)).join()) {
            Map<String, Object> list = (Map<String, Object>) JsonTree.parse(ws.request(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                            + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}"));
            List<String> listed = new ArrayList<>();
            for (Object t : (List<Object>) ((Map<String, Object>) list.get("result")).get("tools")) {
                listed.add((String) ((Map<String, Object>) t).get("name"));
            }
            assertThat(listed).containsExactlyElementsOf(CAN.get(principal));
            int id = 2;
            for (String tool : TOOLS) {
                String answer = ws.request("{\"jsonrpc\":\"2.0\",\"id\":" + id++ + ",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"message\":\"m\"},\"_meta\":{"
                        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
                if (CAN.get(principal).contains(tool)) {
                    assertThat(answer).contains(tool + ":m");
                } else {
                    assertThat(answer).contains("\"code\":" + JsonRpcError.FORBIDDEN).contains("\"scope\":\"tool:" + tool + "\"");
                }
            }
        }
        assertThat(PolicyTestServer.Ws.refusal(uri, "Bearer not-a-key-of-anyone").statusCode()).isEqualTo(401);
    }
}

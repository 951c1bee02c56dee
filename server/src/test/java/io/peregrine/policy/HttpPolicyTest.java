package io.peregrine.policy;

import io.peregrine.Peregrine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Policy over Streamable HTTP: 401 with the RFC 9728 challenge, 403 insufficient_scope, 429 with Retry-After. */
class HttpPolicyTest {

    private static Peregrine server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        JwtAuthenticator jwt = JwtAuthenticator.builder().hs256Secret(Tokens.SECRET).audience("peregrine").build();
        server = PolicyTestServer.start(PolicyChain.builder().authenticator("http", jwt).authenticator("ws", jwt)
                        .rateLimiter(RateLimiter.builder().perPrincipalTool("echo", RateLimit.parse("2/1m")).build())
                        .build(),
                PolicyTestServer.tool("echo"), PolicyTestServer.tool("secret"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> call(String tool, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call")
                .header("Mcp-Name", tool)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"message\":\"hi\"},\"_meta\":{"
                        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unauthenticatedRequestsGet401WithTheMetadataChallenge() throws Exception {
        String metadata = "http://127.0.0.1:" + server.addresses().http().getPort() + "/.well-known/oauth-protected-resource";
        HttpResponse<String> r = call("echo", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer resource_metadata=\"" + metadata + "\"");
        assertThat(r.body()).contains("\"code\":-31002").contains("Authentication required");

        HttpResponse<String> bad = call("echo", Tokens.hs256(Tokens.claims("alice", "tool:echo").audience("other").build()));
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer resource_metadata=\"" + metadata + "\", error=\"invalid_token\"");
        assertThat(bad.body()).contains("does not include this server");
    }

    @Test
    void aMissingScopeIs403NamingIt() throws Exception {
        HttpResponse<String> r = call("secret", Tokens.hs256(Tokens.claims("alice", "tool:echo").build()));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer error=\"insufficient_scope\", scope=\"tool:secret\"");
        assertThat(r.body()).contains("\"code\":-31003").contains("\"scope\":\"tool:secret\"");
    }

    @Test
    void anExhaustedLimitIs429WithRetryAfter() throws Exception {
        String token = Tokens.hs256(Tokens.claims("limited", "tool:echo").build());
        List<Integer> statuses = new java.util.ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
            last = call("echo", token);
            statuses.add(last.statusCode());
        }
        assertThat(statuses).containsExactly(200, 200, 429);
        long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(last.body()).contains("\"code\":-31004").contains("\"retryAfterMs\":");
    }
}

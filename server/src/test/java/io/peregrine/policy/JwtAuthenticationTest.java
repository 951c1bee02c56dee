package io.peregrine.policy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bearer JWTs over TCP (in _meta) and WebSocket (upgrade header), against a real server. */
@SuppressWarnings("unchecked")
class JwtAuthenticationTest {

    private static final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        JwtAuthenticator jwt = JwtAuthenticator.builder().hs256Secret(Tokens.SECRET).audience("peregrine")
                .issuer("https://issuer.test").clockSkew(Duration.ofSeconds(30)).clock(now::get).build();
        server = PolicyTestServer.start(PolicyChain.builder().authenticator("tcp", jwt).authenticator("ws", jwt)
                .clock(now::get).build(), PolicyTestServer.tool("echo"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JWTClaimsSet.Builder good() {
        return Tokens.claims("alice", "tool:echo");
    }

    static Stream<Arguments> badTokens() {
        Instant t = Instant.now();
        return Stream.of(
                Arguments.of("expired", Tokens.hs256(good().expirationTime(Date.from(t.minusSeconds(120))).build()),
                        "Invalid token: expired at"),
                Arguments.of("not yet valid", Tokens.hs256(good().notBeforeTime(Date.from(t.plusSeconds(300))).build()),
                        "Invalid token: not valid before"),
                Arguments.of("wrong issuer", Tokens.hs256(good().issuer("https://evil.test").build()),
                        "issuer \"https://evil.test\" is not the expected \"https://issuer.test\""),
                Arguments.of("wrong audience", Tokens.hs256(good().audience("someone-else").build()),
                        "audience [someone-else] does not include this server, \"peregrine\""),
                Arguments.of("alg=none", Tokens.unsigned(good().build()),
                        "unsigned tokens (alg=none) are not accepted"),
                Arguments.of("wrongly signed", Tokens.hs256(good().build(), "another-secret-that-is-long-enough-too!!"),
                        "the signature does not verify"),
                Arguments.of("no expiry", Tokens.hs256(good().expirationTime(null).build()), "it has no expiry"),
                Arguments.of("not a JWT", "not-a-token", "not a JWT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void tcpRefusesBadTokensInTheFirstMessage(String what, String token, String message) throws Exception {
        assertThatThrownBy(() -> PeregrineClient.builder().address(server.addresses().tcp())
                .authorization("Bearer " + token).connect().close())
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED);
                    assertThat(e.getMessage()).contains(message);
                    assertThat((Map<String, Object>) e.data()).containsEntry("httpStatus", 401L).containsEntry("error", "invalid_token");
                });
        try (PeregrineClient stateless = PeregrineClient.builder().address(server.addresses().tcp())
                .protocolVersion("2026-07-28").authorization("Bearer " + token).connect()) {
            assertThatThrownBy(() -> stateless.callTool("echo", Map.of("message", "hi")))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED);
                        assertThat(e.getMessage()).contains(message);
                    });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void webSocketRefusesTheUpgradeOfBadTokens(String what, String token, String message) {
        HttpResponse<?> r = PolicyTestServer.Ws.refusal(wsUri(), "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(401);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer resource_metadata=\"http://127.0.0.1:" + server.addresses().http().getPort()
                + "/.well-known/oauth-protected-resource\"").contains("error=\"invalid_token\"");
        assertThat(challenge.replace("\\\"", "\"").replace("'", "\"")).contains(message.replace("\\\"", "\""));
    }

    @Test
    void missingCredentialsAreRefusedWithAChallenge() throws Exception {
        HttpResponse<?> r = PolicyTestServer.Ws.refusal(wsUri(), null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .isEqualTo("Bearer resource_metadata=\"http://127.0.0.1:" + server.addresses().http().getPort()
                        + "/.well-known/oauth-protected-resource\"");
        assertThatThrownBy(() -> PeregrineClient.builder().address(server.addresses().tcp()).connect().close())
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED);
                    assertThat(e.getMessage()).contains("Authentication required");
                    assertThat((Map<String, Object>) e.data()).containsKey("authorization");
                });
    }

    @Test
    void theProtectedResourceMetadataIsServed() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + server.addresses().http().getPort() + "/.well-known/oauth-protected-resource")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"resource\":\"http://127.0.0.1:" + server.addresses().http().getPort() + "\"")
                .contains("\"bearer_methods_supported\":[\"header\"]");
    }

    @Test
    void aGoodTokenIsAcceptedOnEveryTransport() throws Exception {
        String token = Tokens.hs256(good().build());
        try (PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp())
                .authorization("Bearer " + token).connect()) {
            assertThat(c.callTool("echo", Map.of("message", "hi")).text()).isEqualTo("echo:hi");
        }
        try (PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp())
                .protocolVersion("2026-07-28").authorization("Bearer " + token).connect()) {
            assertThat(c.callTool("echo", Map.of("message", "hi")).text()).isEqualTo("echo:hi");
            assertThat(c.callTool("echo", Map.of("message", "again")).text()).isEqualTo("echo:again");
        }
        try (PolicyTestServer.Ws ws = PolicyTestServer.Ws.open(wsUri(), "Bearer " + token).join()) {
            assertThat(ws.request(call(1, null))).contains("echo:hi");
        }
    }

    @Test
    void aTokensExpiryEndsWhatItAllowedUntilAFreshTokenArrives() throws Exception {
        long start = now.get();
        try {
            String shortLived = Tokens.hs256(good().expirationTime(new Date(start + 60_000)).build());
            try (LineSocket s = new LineSocket(server.addresses().tcp())) {
                assertThat(s.send(call(1, shortLived)).readLine()).contains("echo:hi");
                assertThat(s.send(call(2, null)).readLine()).as("the principal stays for the connection").contains("echo:hi");
                now.set(start + 60_000 + 31_000);
                assertThat(s.send(call(3, null)).readLine()).contains("" + JsonRpcError.UNAUTHORIZED).contains("expired at");
                String fresh = Tokens.hs256(good().expirationTime(new Date(now.get() + 60_000)).build());
                assertThat(s.send(call(4, fresh)).readLine()).contains("echo:hi");
                String mallory = Tokens.hs256(Tokens.claims("mallory", "tool:echo").build());
                assertThat(s.send(call(5, mallory)).readLine()).contains("authenticated as alice");
            }
        } finally {
            now.set(start);
        }
    }

    /** A 2026-07-28 tools/call of echo, with a token in _meta when given. */
    static String call(int id, String token) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"hi\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\""
                + (token == null ? "" : ",\"io.peregrine/authorization\":\"Bearer " + token + "\"") + "}}}";
    }

    private static String wsUri() {
        return "ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp";
    }
}

package io.peregrine.policy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RS256/ES256 keys from a JWKS served by a real HTTP server (the JDK's), rotated while Peregrine runs. */
class JwksRotationTest {

    private HttpServer jwks;
    private final AtomicReference<String> document = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();

    @BeforeEach
    void serveJwks() throws Exception {
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
    }

    @AfterEach
    void stopJwks() {
        jwks.stop(0);
    }

    private Peregrine server(Duration minRefresh) throws InterruptedException {
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .jwksUrl("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json")
                .audience("peregrine").issuer("https://issuer.test")
                .jwksCacheTtl(Duration.ofHours(1)).jwksMinRefreshInterval(minRefresh).build();
        return PolicyTestServer.start(PolicyChain.builder().authenticator("tcp", jwt).build(), PolicyTestServer.tool("echo"));
    }

    private static String call(Peregrine server, String token) throws Exception {
        try (PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp())
                .authorization("Bearer " + token).connect()) {
            return c.callTool("echo", Map.of("message", "hi")).text();
        }
    }

    @Test
    void aRotatedKeyIsPickedUpOnItsFirstUnknownKid() throws Exception {
        JWK old = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        JWK next = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        document.set(Tokens.jwks(List.of(old)));
        try (Peregrine server = server(Duration.ofMillis(1))) {
            assertThat(call(server, Tokens.signed(old, Tokens.claims("alice", "tool:echo").build()))).isEqualTo("echo:hi");
            assertThat(call(server, Tokens.signed(old, Tokens.claims("alice", "tool:echo").build()))).isEqualTo("echo:hi");
            assertThat(fetches).as("the set is cached").hasValue(1);

            document.set(Tokens.jwks(List.of(next)));
            Thread.sleep(5); // past the 1 ms refresh bound of this test
            assertThat(call(server, Tokens.signed(next, Tokens.claims("alice", "tool:echo").build()))).isEqualTo("echo:hi");
            assertThat(fetches).hasValue(2);
            assertThatThrownBy(() -> call(server, Tokens.signed(old, Tokens.claims("alice", "tool:echo").build())))
                    .as("the retired key no longer verifies")
                    .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED));
        }
    }

    @Test
    void unknownKidsCannotMakeItHammerTheKeyServer() throws Exception {
        JWK known = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        document.set(Tokens.jwks(List.of(known)));
        try (Peregrine server = server(Duration.ofMinutes(10))) {
            assertThat(call(server, Tokens.signed(known, Tokens.claims("alice", "tool:echo").build()))).isEqualTo("echo:hi");
            for (int i = 0; i < 20; i++) {
                JWK forged = new ECKeyGenerator(Curve.P_256).keyID("made-up-" + i).generate();
                assertThatThrownBy(() -> call(server, Tokens.signed(forged, Tokens.claims("mallory", "tool:*").build())))
                        .isInstanceOfSatisfying(McpClientException.class, e -> {
                            assertThat(e.code()).isEqualTo(JsonRpcError.UNAUTHORIZED);
                            assertThat(e.getMessage()).contains("made-up-");
                        });
            }
            assertThat(fetches.get()).as("one fetch, then at most one refetch within the bound").isLessThanOrEqualTo(2);
        }
    }
}

package io.peregrine.ops.metrics;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.policy.ApiKeyAuthenticator;
import io.peregrine.policy.PolicyChain;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the HTTP listener refuses before the protocol layer (no credentials, a foreign Origin, a
 * body over the limit, a session that ended) is counted in {@code peregrine_messages_rejected_total}
 * with the refusals of the core.
 */
class HttpRefusalMetricsTest {

    private static final String KEY = "refusal-key-0123456789";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void refusalsAtTheHttpEdgeAreCountedByReason() throws Exception {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key("alice", KEY, List.of("tool:*")).build();
        try (Peregrine server = Peregrine.builder().tool(EchoTool.create()).noTcp().http("127.0.0.1", 0)
                .maxBodyBytes(1024)
                .policy(PolicyChain.builder().authenticator("http", keys).authenticator("ws", keys).build()).build()) {
            server.start();
            String base = "http://127.0.0.1:" + server.addresses().http().getPort();
            String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

            assertThat(post(base, ping, null, null).statusCode()).isEqualTo(401);
            assertThat(post(base, ping, "Bearer " + KEY, "Origin: http://evil.example").statusCode()).isEqualTo(403);
            assertThat(post(base, "{\"pad\":\"" + "x".repeat(2048) + "\"}", "Bearer " + KEY, null).statusCode())
                    .isEqualTo(413);
            assertThat(post(base, ping, "Bearer " + KEY, "Mcp-Session-Id: no-such-session").statusCode()).isEqualTo(404);

            String scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape)
                    .contains("peregrine_messages_rejected_total{reason=\"unauthorized\"} 1")
                    .contains("peregrine_messages_rejected_total{reason=\"forbidden\"} 1")
                    .contains("peregrine_messages_rejected_total{reason=\"too_large\"} 1")
                    .contains("peregrine_messages_rejected_total{reason=\"session_not_found\"} 1");
        }
    }

    private HttpResponse<String> post(String base, String body, String authorization, String extraHeader)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (extraHeader != null) {
            String[] h = extraHeader.split(": ", 2);
            b.header(h[0], h[1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

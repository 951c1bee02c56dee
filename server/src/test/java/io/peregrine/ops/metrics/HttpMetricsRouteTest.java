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
 * {@code GET /metrics} on the MCP HTTP listener: served at {@code metrics.path}, and behind the
 * listener's authentication when it requires credentials.
 */
class HttpMetricsRouteTest {

    private static final String KEY = "scraper-key-0123456789";

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(Peregrine server, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + path))
                .header("Accept", MetricsExpositionTest.PROMETHEUS_ACCEPT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHttpListenerServesMetricsAtItsPath() throws Exception {
        try (Peregrine server = Peregrine.builder().tool(EchoTool.create()).noTcp().http("127.0.0.1", 0)
                .metricsPath("/internal/metrics").build()) {
            server.start();
            HttpResponse<String> scrape = get(server, "/internal/metrics", null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("content-type")).hasValue(MetricsExposition.OPENMETRICS_FORMAT);
            assertThat(scrape.body()).contains("peregrine_connections{").endsWith("# EOF\n");
            assertThat(get(server, "/metrics", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void noMetricsRouteWhenMetricsAreOff() throws Exception {
        try (Peregrine server = Peregrine.builder().noTcp().http("127.0.0.1", 0).metrics(false).build()) {
            server.start();
            assertThat(get(server, "/metrics", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void whenTheListenerRequiresCredentialsSoDoesTheScrape() throws Exception {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key("prometheus", KEY, List.of()).build();
        try (Peregrine server = Peregrine.builder().noTcp().http("127.0.0.1", 0)
                .policy(PolicyChain.builder().authenticator("http", keys).authenticator("ws", keys).build()).build()) {
            server.start();
            HttpResponse<String> refused = get(server, "/metrics", null);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).doesNotContain("peregrine_");
            assertThat(get(server, "/metrics", "Bearer wrong-key-0123456789").statusCode()).isEqualTo(401);
            HttpResponse<String> scrape = get(server, "/metrics", "Bearer " + KEY);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("peregrine_connections{");
        }
    }
}

package io.peregrine.ops.metrics;

import io.peregrine.mcp.McpObserver.Rejection;
import io.peregrine.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class AdminServerTest {

    private final PeregrineMetrics metrics = PeregrineMetrics.builder().build();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final HttpClient client = HttpClient.newHttpClient();
    private AdminServer admin;

    @AfterEach
    void close() {
        if (admin != null) {
            admin.close();
        }
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsHealthAndReadinessOnItsOwnPort() throws Exception {
        admin = AdminServer.bind("127.0.0.1", 0, metrics.exposition(), () -> "{\"status\":\"up\",\"sessions\":3}", ready::get);
        assertThat(admin.localAddress().getAddress().isLoopbackAddress()).isTrue();
        metrics.observer().messageRejected(Transport.HTTP, Rejection.UNAUTHORIZED);

        HttpResponse<String> scrape = get("/metrics", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).hasValue(MetricsExposition.TEXT_FORMAT);
        assertThat(scrape.body()).contains("peregrine_messages_rejected_total{reason=\"unauthorized\"} 1.0")
                .contains("jvm_memory_used_bytes");

        HttpResponse<String> om = get("/metrics", MetricsExpositionTest.PROMETHEUS_ACCEPT);
        assertThat(om.headers().firstValue("content-type")).hasValue(MetricsExposition.OPENMETRICS_FORMAT);
        assertThat(om.body()).endsWith("# EOF\n");

        HttpResponse<String> health = get("/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"up\"}");
        assertThat(get("/health?verbose", null).body()).isEqualTo("{\"status\":\"up\",\"sessions\":3}");
        assertThat(get("/health/details", null).body()).isEqualTo("{\"status\":\"up\",\"sessions\":3}");

        assertThat(get("/ready", null).statusCode()).isEqualTo(503);
        ready.set(true);
        HttpResponse<String> isReady = get("/ready?verbose", null);
        assertThat(isReady.statusCode()).isEqualTo(200);
        assertThat(isReady.body()).isEqualTo("{\"status\":\"ready\"}");
    }

    @Test
    void otherPathsAre404AndWritesAre405() throws Exception {
        admin = AdminServer.bind("127.0.0.1", 0, metrics.exposition(), () -> "{}", ready::get);
        HttpResponse<String> missing = get("/mcp", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("/metrics, /health and /ready");

        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void aBadPortIsRefusedWithTheReason() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        AdminServer.bind("127.0.0.1", 70000, metrics.exposition(), () -> "{}", ready::get))
                .hasMessage("port : 70000 (expected: 0 to 65535)");
    }
}

package io.peregrine.ops.metrics;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's own metrics and admin listener, as the builder (and so the configuration) sets them up. */
class AdminListenerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(InetSocketAddress admin, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminListenerServesTheServersMetricsAndProbes() throws Exception {
        try (Peregrine server = Peregrine.builder().tool(EchoTool.create()).tcp("127.0.0.1", 0).admin("127.0.0.1", 0).build()) {
            assertThat(server.adminAddress()).isNull();
            Peregrine.BoundAddresses addresses = server.start();
            InetSocketAddress admin = server.adminAddress();
            assertThat(admin.getAddress().isLoopbackAddress()).isTrue();
            try (PeregrineClient client = PeregrineClient.builder().address(addresses.tcp()).connect()) {
                client.callTool("echo", Map.of("message", "counted"));
            }

            HttpResponse<String> scrape = get(admin, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("mcp_server_operation_duration_seconds_count{error_type=\"\",gen_ai_prompt_name=\"\","
                    + "gen_ai_tool_name=\"echo\",mcp_method_name=\"tools/call\",mcp_protocol_version=\"2025-11-25\","
                    + "network_protocol_name=\"\",network_transport=\"tcp\"} 1");
            assertThat(scrape.body()).containsPattern("peregrine_netty_eventloop_pending_tasks\\{loop=\"0\"}");
            assertThat(get(admin, "/health").statusCode()).isEqualTo(200);
            assertThat(get(admin, "/health?verbose").body()).startsWith("{\"status\":\"up\",\"ready\":true,\"state\":\"serving\"").contains("\"tools\":1");
            assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);
            assertThat(server.metrics().registry()).isNotNull();
        }
    }

    @Test
    void metricsOffLeavesTheProbesAndAnEmptyScrape() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).metrics(false).admin("127.0.0.1", 0).build()) {
            server.start();
            assertThat(server.metrics()).isNull();
            HttpResponse<String> scrape = get(server.adminAddress(), "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).isEmpty();
            assertThat(get(server.adminAddress(), "/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void noAdminListenerUnlessAskedFor() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).build()) {
            server.start();
            assertThat(server.adminAddress()).isNull();
            assertThat(server.metrics()).isNotNull();
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> Peregrine.builder().metricsPath("metrics")).hasMessage("metrics.path : metrics (expected: a path starting with /)");
        assertThatThrownBy(() -> Peregrine.builder().admin("127.0.0.1", 65536)).hasMessageStartingWith("admin.port : 65536 (expected: ");
    }
}

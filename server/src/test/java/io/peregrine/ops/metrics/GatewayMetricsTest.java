package io.peregrine.ops.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway's endpoint metrics: what they expose, and that their labels stay bounded. */
class GatewayMetricsTest {

    private static String scrape(List<GatewayMetrics.Upstream> upstreams) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        GatewayMetrics.register(registry, () -> upstreams);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MetricsExposition(List.of(registry)).write("text/plain", out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachEndpointIsLabelledByHostPortAndPathWithoutCredentials() throws Exception {
        String text = scrape(List.of(new GatewayMetrics.Upstream("weather", List.of(
                new GatewayMetrics.Endpoint("tcp://10.0.0.7:9001", true, 3),
                new GatewayMetrics.Endpoint("https://user:pw@10.0.0.8:443/mcp?token=x", false, 0),
                new GatewayMetrics.Endpoint("stdio:node server.js", true, 1)), 2, 40, 3)));
        assertThat(text)
                .contains("peregrine_gateway_endpoint_up{endpoint=\"10.0.0.7:9001\",upstream=\"weather\"} 1.0")
                .contains("peregrine_gateway_endpoint_up{endpoint=\"10.0.0.8:443/mcp\",upstream=\"weather\"} 0.0")
                .contains("peregrine_gateway_endpoint_up{endpoint=\"stdio\",upstream=\"weather\"} 1.0")
                .contains("peregrine_gateway_endpoint_in_flight{endpoint=\"10.0.0.7:9001\",upstream=\"weather\"} 3.0")
                .contains("peregrine_gateway_ejections_total{upstream=\"weather\"} 2.0")
                .contains("peregrine_gateway_health_checks_total{result=\"passed\",upstream=\"weather\"} 40.0")
                .contains("peregrine_gateway_health_checks_total{result=\"failed\",upstream=\"weather\"} 3.0")
                .doesNotContain("pw").doesNotContain("token");
    }

    @Test
    void labelsStayBoundedHoweverManyUpstreamsAndEndpoints() throws Exception {
        List<GatewayMetrics.Upstream> upstreams = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            List<GatewayMetrics.Endpoint> endpoints = new ArrayList<>();
            for (int e = 0; e < 40; e++) {
                endpoints.add(new GatewayMetrics.Endpoint("tcp://10.0." + u + "." + e + ":9001", e % 2 == 0, 1));
            }
            upstreams.add(new GatewayMetrics.Upstream("u" + u, endpoints, 1, 0, 0));
        }
        String text = scrape(upstreams);
        long upSeries = text.lines().filter(l -> l.startsWith("peregrine_gateway_endpoint_up{")).count();
        assertThat(upSeries).isEqualTo((GatewayMetrics.MAX_UPSTREAMS + 1) * (GatewayMetrics.MAX_ENDPOINTS + 1));
        // The 8 endpoints past the first 32 of u0, 4 of them up, summed.
        assertThat(text).contains("peregrine_gateway_endpoint_up{endpoint=\"_OTHER\",upstream=\"u0\"} 4.0")
                .contains("peregrine_gateway_endpoint_in_flight{endpoint=\"_OTHER\",upstream=\"u0\"} 8.0")
                .contains("peregrine_gateway_ejections_total{upstream=\"_OTHER\"} 4.0");
    }
}

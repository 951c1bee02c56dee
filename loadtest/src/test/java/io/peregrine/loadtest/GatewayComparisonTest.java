package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayComparisonTest {

    private static Map<String, Double> row(double callsPerSecond, double p50, double p99, double calls) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("throughputPerSecond", callsPerSecond);
        m.put("p50Micros", p50);
        m.put("p99Micros", p99);
        m.put("calls", calls);
        m.put("errorsTotal", 0.0);
        return m;
    }

    @Test
    void eachGatewayRowIsGivenAsARatioOfTheDirectOneWithTheP50ItAdds() {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        medians.put("direct", row(10_000, 100, 400, 50_000));
        medians.put("gateway-tcp", row(5_000, 180, 700, 25_000));
        medians.put("gateway-ws", row(4_000, 200, 900, 20_000));
        medians.put("gateway-http", row(2_500, 390, 1_500, 12_500));
        String table = GatewayComparison.table("loadtest/run gateway --rounds 3", 3, Transport.TCP, medians);
        assertThat(table).startsWith("`loadtest/run gateway --rounds 3` (medians of 3 rounds;")
                .contains("| Peregrine directly | – | 10000 | 100 | 400 | 50000 | 0 |  |  |")
                .contains("| Peregrine behind the gateway | TCP | 5000 | 180 | 700 | 25000 | 0 | **0.50** | +80 |")
                .contains("| Peregrine behind the gateway | WebSocket | 4000 | 200 | 900 | 20000 | 0 | **0.40** | +100 |")
                .contains("| Peregrine behind the gateway | Streamable HTTP | 2500 | 390 | 1500 | 12500 | 0 | **0.25** | +290 |");
    }

    @Test
    void eachPeerIsGivenAsARatioOfPeregrinesGatewayInFrontOfTheSameStdioServer() {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        medians.put("gateway-stdio", row(4_000, 200, 900, 20_000));
        medians.put("supergateway", row(500, 1_200, 5_000, 2_500));
        medians.put("mcp-proxy", row(1_000, 700, 3_000, 5_000));
        String table = GatewayComparison.peersTable("4.0.0", "6.7.19", medians);
        assertThat(table).contains("| Peregrine gateway (`gateway.upstreams.up.command`) | one, every session's calls multiplexed on it"
                        + " | 4000 | 200 | 900 | 20000 | 0 |  |  |")
                .contains("| supergateway 4.0.0 (`--stateful`, Streamable HTTP) | one per session | 500 | 1200 | 5000 | 2500 | 0"
                        + " | **0.13** | +1000 |")
                .contains("| mcp-proxy 6.7.19 (Streamable HTTP) | one, every session's calls multiplexed on it | 1000 | 700 | 3000"
                        + " | 5000 | 0 | **0.25** | +500 |");
    }

    @Test
    void peersAreAFlagAndAreCalledOverStreamableHttpOnly() {
        assertThat(GatewayComparison.parse(new String[] {"--peers", "--rounds", "2"}))
                .containsEntry("peers", "true").containsEntry("rounds", "2");
        assertThatThrownBy(() -> GatewayComparison.parse(new String[] {"--rounds"})).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("peers", "true", "transport", "tcp")))
                .hasMessageContaining("expected: --transport http");
    }

    @Test
    void eachMetricHasItsOwnMedian() {
        Map<String, Object> a = Map.of("throughputPerSecond", 3.0, "p50Micros", 10.0, "p99Micros", 300.0, "errors", 0L, "requests", 30L);
        Map<String, Object> b = Map.of("throughputPerSecond", 1.0, "p50Micros", 30.0, "p99Micros", 100.0, "errors", 0L, "requests", 10L);
        Map<String, Object> c = Map.of("throughputPerSecond", 2.0, "p50Micros", 20.0, "p99Micros", 200.0, "errors", 1L, "requests", 20L);
        Map<String, Double> m = GatewayComparison.medians(List.of(a, b, c));
        assertThat(m).containsEntry("throughputPerSecond", 2.0).containsEntry("p50Micros", 20.0)
                .containsEntry("p99Micros", 200.0).containsEntry("calls", 60.0).containsEntry("errorsTotal", 1.0);
    }

    @Test
    void roundsAndLoadAreBounded() {
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("rounds", "6"))).hasMessageContaining("rounds : 6");
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("connections", "100", "depth", "100")))
                .hasMessageContaining("calls in flight");
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("rate", "0"))).hasMessageContaining("rate : 0");
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("rate", "fast"))).hasMessageContaining("or half");
        assertThatThrownBy(() -> GatewayComparison.run(Map.of("rate", "half", "connections", "1000")))
                .hasMessageContaining("with --rate half");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anOpenLoopThroughTheGatewayTakesItsAnswersInWhateverOrderTheyCome(@TempDir Path dir) throws Exception {
        Path markdown = dir.resolve("gateway.md");
        System.setProperty(GatewayComparison.SERVER_JAVA_OPTS, "-Xmx128m -XX:+UseSerialGC");
        try {
            int status = GatewayComparison.run(Map.of("rounds", "1", "connections", "2", "rate", "50",
                    "warmup", "300ms", "duration", "700ms", "markdown", markdown.toString()));
            assertThat(status).isZero();
        } finally {
            System.clearProperty(GatewayComparison.SERVER_JAVA_OPTS);
        }
        String table = Files.readString(markdown);
        assertThat(table).startsWith("An open loop at 50 calls/s, latency from each call's intended start.")
                .contains("--rate 50")
                .containsPattern("\\| Peregrine behind the gateway \\| TCP \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\|")
                .containsPattern("\\| Peregrine behind the gateway \\| WebSocket \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\|")
                .containsPattern("\\| Peregrine behind the gateway \\| Streamable HTTP \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\|");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oneRoundCallsTheSameUpstreamDirectlyAndThroughEachUpstreamLink(@TempDir Path dir) throws Exception {
        Path markdown = dir.resolve("gateway.md");
        Path json = dir.resolve("gateway.json");
        System.setProperty(GatewayComparison.SERVER_JAVA_OPTS, "-Xmx128m -XX:+UseSerialGC");
        try {
            int status = GatewayComparison.run(Map.of("rounds", "1", "connections", "2", "depth", "1",
                    "warmup", "300ms", "duration", "700ms", "markdown", markdown.toString(), "json", json.toString()));
            assertThat(status).isZero();
        } finally {
            System.clearProperty(GatewayComparison.SERVER_JAVA_OPTS);
        }
        String table = Files.readString(markdown);
        // Every row ran and its calls succeeded: a positive count of calls and no errors.
        assertThat(table).containsPattern("\\| Peregrine directly \\| – \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\|")
                .containsPattern("\\| Peregrine behind the gateway \\| TCP \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\| \\*\\*")
                .containsPattern("\\| Peregrine behind the gateway \\| WebSocket \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\| \\*\\*")
                .containsPattern("\\| Peregrine behind the gateway \\| Streamable HTTP \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\| \\*\\*")
                .containsPattern("\\| Peregrine behind the gateway \\| Streamable HTTP on h2c \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| [1-9]\\d* \\| 0 \\| \\*\\*");
        assertThat(Files.readString(json)).contains("\"gateway-tcp\"").contains("\"gateway-ws\"").contains("\"gateway-http\"")
                .contains("\"gateway-h2c\"")
                .contains("\"tool\":\"up_echo\"");
    }
}

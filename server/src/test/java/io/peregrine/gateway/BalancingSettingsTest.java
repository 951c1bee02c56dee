package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load-balancing, health and outlier keys of an upstream: read from YAML and the environment, defaults, bad values. */
class BalancingSettingsTest {

    @Test
    void balancingHealthAndOutlierKeysAreRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, String.join("\n",
                "gateway:",
                "  upstreams:",
                "    weather:",
                "      url: tcp://10.0.0.7:9001, tcp://10.0.0.8:9001, http://user@10.0.0.9:9001/mcp?x=1",
                "      load-balancing: weighted-round-robin",
                "      weights: 10.0.0.7:9001=3, 10.0.0.9:9001=5",
                "      slow-start: 10s",
                "      health:",
                "        interval: 2s",
                "        timeout: 500ms",
                "        unhealthy-threshold: 3",
                "        healthy-threshold: 4",
                "      outlier:",
                "        consecutive-failures: 7",
                "        base-ejection: 10s",
                "        max-ejection: 2m",
                "        max-ejection-percent: 20",
                ""));
        Map<String, String> env = Map.of("PEREGRINE_GATEWAY_UPSTREAMS_PERI_URL", "tcp://127.0.0.1:7500",
                "PEREGRINE_GATEWAY_UPSTREAMS_PERI_LOAD_BALANCING", "consistent-hash",
                "PEREGRINE_GATEWAY_UPSTREAMS_PERI_HASH_KEY", "argument:tenant",
                "PEREGRINE_GATEWAY_UPSTREAMS_PERI_HEALTH_INTERVAL", "0");
        PeregrineConfig c = ConfigLoader.load(file, env, List.of());
        List<UpstreamSpec> specs = UpstreamSettings.from(c, env);

        UpstreamSpec weather = specs.get(0);
        assertThat(weather.loadBalancing()).isEqualTo(LoadBalancing.WEIGHTED_ROUND_ROBIN);
        assertThat(weather.weight("tcp://10.0.0.7:9001")).isEqualTo(3);
        assertThat(weather.weight("tcp://10.0.0.8:9001")).isEqualTo(1);
        assertThat(weather.weight("http://user@10.0.0.9:9001/mcp?x=1")).isEqualTo(5);
        assertThat(weather.slowStart()).isEqualTo(Duration.ofSeconds(10));
        assertThat(weather.healthInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(weather.healthTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(weather.unhealthyThreshold()).isEqualTo(3);
        assertThat(weather.healthyThreshold()).isEqualTo(4);
        assertThat(weather.outlierConsecutiveFailures()).isEqualTo(7);
        assertThat(weather.outlierBaseEjection()).isEqualTo(Duration.ofSeconds(10));
        assertThat(weather.outlierMaxEjection()).isEqualTo(Duration.ofMinutes(2));
        assertThat(weather.outlierMaxEjectionPercent()).isEqualTo(20);

        UpstreamSpec peri = specs.get(1);
        assertThat(peri.loadBalancing()).isEqualTo(LoadBalancing.CONSISTENT_HASH);
        assertThat(peri.hashKey()).isEqualTo("argument:tenant");
        assertThat(peri.healthInterval()).isZero();
    }

    @Test
    void defaultsAreSafe() {
        UpstreamSpec s = UpstreamSpec.builder("x").url("tcp://127.0.0.1:1").build();
        assertThat(s.loadBalancing()).isEqualTo(LoadBalancing.LEAST_IN_FLIGHT);
        assertThat(s.hashKey()).isEqualTo("session");
        assertThat(s.slowStart()).isZero();
        assertThat(s.healthInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.healthTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.unhealthyThreshold()).isEqualTo(2);
        assertThat(s.healthyThreshold()).isEqualTo(2);
        assertThat(s.outlierConsecutiveFailures()).isEqualTo(5);
        assertThat(s.outlierBaseEjection()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.outlierMaxEjection()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.outlierMaxEjectionPercent()).isEqualTo(50);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> load("load-balancing=random")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.upstreams.w.load-balancing").hasMessageContaining("least-in-flight");
        assertThatThrownBy(() -> load("weights=10.0.0.7:9001")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.upstreams.w.weights");
        assertThatThrownBy(() -> load("weights=10.0.0.7:9001=0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("1 to 1000");
        assertThatThrownBy(() -> load("hash-key=tenant")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.upstreams.w.hash-key");
        assertThatThrownBy(() -> load("outlier.max-ejection-percent=101")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.upstreams.w.outlier.max-ejection-percent");
        assertThatThrownBy(() -> load("outlier.max-ejection=1s")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("outlier.max-ejection").hasMessageContaining("outlier.base-ejection");
    }

    private static List<UpstreamSpec> load(String set) {
        PeregrineConfig c = ConfigLoader.load(null, Map.of(),
                List.of("gateway.upstreams.w.url=tcp://127.0.0.1:1", "gateway.upstreams.w." + set));
        return UpstreamSettings.from(c, Map.of());
    }
}

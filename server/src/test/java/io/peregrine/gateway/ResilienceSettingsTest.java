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

/** The circuit-breaker.*, retry.*, hedge.* and fallback.<tool>.* keys of an upstream, and what a bad value says. */
class ResilienceSettingsTest {

    private static List<UpstreamSpec> load(Path dir, Map<String, String> env, String... yaml) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, String.join("\n", yaml) + "\n");
        PeregrineConfig c = ConfigLoader.load(file, env, List.of());
        return UpstreamSettings.from(c, env);
    }

    @Test
    void defaultsAreSafe(@TempDir Path dir) throws IOException {
        ResilienceSpec r = load(dir, Map.of(), "gateway:", "  upstreams:", "    w:", "      url: tcp://127.0.0.1:1")
                .get(0).resilience();
        assertThat(r.breakerEnabled()).isTrue();
        assertThat(r.breakerWindow()).isEqualTo(20);
        assertThat(r.breakerMinimumCalls()).isEqualTo(10);
        assertThat(r.breakerFailureRate()).isEqualTo(50);
        assertThat(r.breakerOpenFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.breakerProbes()).isEqualTo(3);
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.budgetPercent()).isEqualTo(20);
        assertThat(r.hedge()).isFalse();
        assertThat(r.fallbacks()).isEmpty();
    }

    @Test
    void everyKeyIsRead(@TempDir Path dir) throws IOException {
        ResilienceSpec r = load(dir, Map.of("PEREGRINE_GATEWAY_UPSTREAMS_W_RETRY_MAX_ATTEMPTS", "5",
                        "PEREGRINE_GATEWAY_UPSTREAMS_W_FALLBACK_GET_WEATHER_ERROR", "no weather"),
                "gateway:",
                "  upstreams:",
                "    w:",
                "      url: tcp://127.0.0.1:1",
                "      circuit-breaker:",
                "        window: 40",
                "        minimum-calls: 8",
                "        failure-rate: 25",
                "        open-for: 3s",
                "        half-open-calls: 2",
                "      retry:",
                "        backoff: 10ms",
                "        max-backoff: 200ms",
                "        budget-percent: 10",
                "        budget-min-per-second: 2",
                "        budget-window: 30s",
                "      hedge:",
                "        enabled: true",
                "        delay: 80ms",
                "      fallback:",
                "        get_forecast:",
                "          text: 'sunny, probably'",
                "        charge:",
                "          error: payments are down, try later",
                "        search:",
                "          upstream: backup/find",
                "        lookup:",
                "          upstream: backup",
                "    backup:",
                "      url: tcp://127.0.0.1:2").get(0).resilience();
        assertThat(r.breakerWindow()).isEqualTo(40);
        assertThat(r.breakerMinimumCalls()).isEqualTo(8);
        assertThat(r.breakerFailureRate()).isEqualTo(25);
        assertThat(r.breakerOpenFor()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.breakerProbes()).isEqualTo(2);
        assertThat(r.maxAttempts()).as("from the environment").isEqualTo(5);
        assertThat(r.backoff()).isEqualTo(Duration.ofMillis(10));
        assertThat(r.maxBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(r.budgetPercent()).isEqualTo(10);
        assertThat(r.budgetMinPerSecond()).isEqualTo(2);
        assertThat(r.budgetWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.hedge()).isTrue();
        assertThat(r.hedgeDelay()).isEqualTo(Duration.ofMillis(80));
        assertThat(r.fallbacks()).containsEntry("get_forecast", ResilienceSpec.Fallback.text("sunny, probably"))
                .containsEntry("charge", ResilienceSpec.Fallback.error("payments are down, try later"))
                .containsEntry("search", ResilienceSpec.Fallback.upstream("backup", "find"))
                .containsEntry("lookup", ResilienceSpec.Fallback.upstream("backup", null))
                .as("from the environment").containsEntry("get_weather", ResilienceSpec.Fallback.error("no weather"));
    }

    @Test
    void badValuesNameTheirKey(@TempDir Path dir) {
        assertThatThrownBy(() -> load(dir, Map.of(), "gateway:", "  upstreams:", "    w:", "      url: tcp://127.0.0.1:1",
                "      fallback:", "        t:", "          text: a", "          error: b"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.w.fallback.t")
                .hasMessageContaining("exactly one of text, error and upstream");
        assertThatThrownBy(() -> load(dir, Map.of(), "gateway:", "  upstreams:", "    w:", "      url: tcp://127.0.0.1:1",
                "      retry:", "        backoff: 2s", "        max-backoff: 1s"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.w.retry.max-backoff");
        assertThatThrownBy(() -> load(dir, Map.of(), "gateway:", "  upstreams:", "    w:", "      url: tcp://127.0.0.1:1",
                "      circuit-breaker:", "        failure-rate: 0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.w.circuit-breaker.failure-rate");
        assertThatThrownBy(() -> load(dir, Map.of(), "gateway:", "  upstreams:", "    w:", "      url: tcp://127.0.0.1:1",
                "      retry:", "        max-attempts: 11"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.w.retry.max-attempts");
    }
}

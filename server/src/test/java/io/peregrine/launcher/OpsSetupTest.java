package io.peregrine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.ops.logging.LogSettings;
import io.peregrine.ops.tracing.TracingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The log.* and tracing.* keys, from a file, the environment and --set, into the ops settings. */
class OpsSetupTest {

    @Test
    void perLoggerLevelsComeFromTheFileAndFromSet(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), "log:\n  format: json\n  level: warn\n"
                + "  levels:\n    io.netty: debug\n    peregrine.audit: \"off\"\n  audit-file: " + dir.resolve("audit.log") + "\n");
        PeregrineConfig c = ConfigLoader.load(file, Map.of("PEREGRINE_LOG_ACCESS", "true"),
                List.of("log.levels.io.peregrine.mcp=TRACE"));

        LogSettings s = OpsSetup.logSettings(c);
        assertThat(s.format()).isEqualTo(LogSettings.Format.JSON);
        assertThat(s.rootLevel()).isEqualTo("warn");
        assertThat(s.levels()).containsExactlyInAnyOrderEntriesOf(Map.of("io.netty", "debug", "peregrine.audit", "off",
                "io.peregrine.mcp", "trace"));
        assertThat(s.accessLog()).isTrue();
        assertThat(s.auditFile()).isEqualTo(dir.resolve("audit.log"));
    }

    @Test
    void tracingKeysBecomeSettings() {
        PeregrineConfig c = ConfigLoader.load(null, Map.of(), List.of("tracing.sample-ratio=0.25",
                "tracing.endpoint=https://collector.example:4318/v1/traces", "tracing.queue-size=16",
                "tracing.export-timeout=2s", "tracing.record-arguments=true"));

        TracingSettings s = OpsSetup.tracingSettings(c);
        assertThat(s.sampleRatio()).isEqualTo(0.25);
        assertThat(s.endpoint()).isEqualTo("https://collector.example:4318/v1/traces");
        assertThat(s.queueSize()).isEqualTo(16);
        assertThat(s.exportTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.recordArguments()).isTrue();
        assertThat(s.serviceName()).isEqualTo("peregrine");
        assertThat(OpsSetup.tracing(ConfigLoader.load(null, Map.of(), List.of()))).isNull();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> OpsSetup.logSettings(ConfigLoader.load(null, Map.of(), List.of("log.format=xml"))))
                .hasMessage("log.format : \"xml\" (expected: text or json)");
        assertThatThrownBy(() -> OpsSetup.logSettings(ConfigLoader.load(null, Map.of(), List.of("log.levels.io.netty=loud"))))
                .hasMessage("log.levels.io.netty : \"loud\" (expected: trace, debug, info, warn, error or off)");
        assertThatThrownBy(() -> OpsSetup.tracingSettings(ConfigLoader.load(null, Map.of(), List.of("tracing.sample-ratio=most"))))
                .hasMessage("tracing.sample-ratio : \"most\" (expected: 0.0 to 1.0)");
        assertThatThrownBy(() -> OpsSetup.tracingSettings(ConfigLoader.load(null, Map.of(), List.of("tracing.sample-ratio=1.5"))))
                .hasMessage("tracing.sample-ratio : 1.5 (expected: 0.0 to 1.0)");
        assertThatThrownBy(() -> OpsSetup.tracingSettings(ConfigLoader.load(null, Map.of(), List.of("tracing.endpoint=127.0.0.1:4318"))))
                .hasMessage("tracing.endpoint : \"127.0.0.1:4318\" (expected: an http:// or https:// URL such as "
                        + "http://127.0.0.1:4318/v1/traces)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("log.levels.=debug")))
                .hasMessageContaining("unknown key \"log.levels.\"");
    }
}

package io.peregrine.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void precedenceIsFileThenEnvironmentThenSet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "tcp:\n  port: 7001\n  host: 0.0.0.0\nexec.max-concurrency: 3\n");
        PeregrineConfig c = ConfigLoader.load(file, Map.of("PEREGRINE_TCP_PORT", "7002", "PEREGRINE_UNRELATED", "x"),
                List.of("tcp.port=7003"));
        assertThat(c.integer("tcp.port")).isEqualTo(7003);
        assertThat(c.string("tcp.host")).isEqualTo("0.0.0.0");
        assertThat(c.integer("exec.max-concurrency")).isEqualTo(3);
        assertThat(ConfigLoader.load(file, Map.of("PEREGRINE_TCP_PORT", "7002"), List.of()).integer("tcp.port")).isEqualTo(7002);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tcp.max-line-length | 65536 | 65536",
            "tcp.max-line-length | 64KiB | 65536",
            "tcp.max-line-length | 2MB   | 2000000",
            "tools.default-timeout | 250ms | PT0.25S",
            "tools.default-timeout | 30s   | PT30S",
            "tools.default-timeout | 2m    | PT2M",
            "tools.default-timeout | 1500  | PT1.5S",
            "tcp.enabled | FALSE | false",
            "tcp.port | 0 | 0",
    })
    void valuesAreParsed(String key, String raw, String expected) {
        Object value = ConfigLoader.load(null, Map.of(), List.of(key + "=" + raw)).get(key);
        assertThat(value instanceof Duration ? value.toString() : String.valueOf(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tcp.port | 70000 | tcp.port: \"70000\" from --set tcp.port=70000 (expected: an integer from 0 to 65535)",
            "tcp.port | seven | (expected: an integer from 0 to 65535)",
            "tcp.max-line-length | 12 parsecs | (expected: a size in bytes",
            "tcp.max-line-length | 2GiB | (expected: a size from 1KiB to 256MiB)",
            "ws.path | mcp | (expected: a path starting with /)",
            "http.auth | password | (expected: none, api-key or jwt)",
            "client-requests.state-key | too-short | (expected: empty, or at least 16 characters)",
            "shutdown.ready-delay | -5s | (expected: a duration such as 250ms, 30s, 2m or 1h)",
            "tools.default-timeout | soon | (expected: a positive duration",
            "tools.default-timeout | 0s | (expected: a positive duration",
            "tcp.enabled | yes | (expected: true or false)",
    })
    void badValuesNameTheKeyAndTheSource(String key, String raw, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of(key + "=" + raw)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(message).hasMessageStartingWith(key + ":");
    }

    @Test
    void environmentValuesNameTheirVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PEREGRINE_TCP_PORT", "-1"), List.of()))
                .hasMessage("tcp.port: \"-1\" from environment variable PEREGRINE_TCP_PORT (expected: an integer from 0 to 65535)");
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "tcp:\n  prot: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .hasMessageContaining("unknown key \"tcp.prot\"").hasMessageContaining("did you mean \"tcp.port\"?");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("nonsense.entirely=1")))
                .hasMessage("unknown key \"nonsense.entirely\" in --set");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("tcp.port")))
                .hasMessage("--set tcp.port (expected: key=value)");
    }

    @Test
    void brokenFilesAreNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "tcp:\n  port: [1,\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .hasMessageContaining(file + " is not valid YAML").hasMessageContaining("line");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of(), List.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void theConfigurationRemembersWhatWasSetAndWhatWasRead() {
        PeregrineConfig c = ConfigLoader.load(null, Map.of("PEREGRINE_TCP_PORT", "7002"), List.of("ws.compression=true"));
        assertThat(c.explicitKeys()).containsExactly("tcp.port", "ws.compression");
        assertThat(c.unreadKeys()).hasSameSizeAs(ConfigKey.all().keySet()).contains("tcp.port");
        assertThat(c.get(ConfigKey.TCP_PORT)).isEqualTo(7002);
        assertThat(c.unreadKeys()).doesNotContain("tcp.port").contains("ws.compression");
    }

    /** What the reference and the shipped file write is what the loader reads back. */
    @Test
    void everyDefaultReadsBackAsWritten() {
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            assertRoundTrip(key);
        }
    }

    private static <T> void assertRoundTrip(ConfigKey<T> key) {
        assertThat(key.convert(key.format(key.defaultValue()), "test")).as(key.name()).isEqualTo(key.defaultValue());
        assertThat(key.convert(key.format(key.builderDefault()), "test")).as(key.name()).isEqualTo(key.builderDefault());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tcp.max-line-length | 4194304 | 4MiB",
            "tcp.max-line-length | 1500    | 1500B",
            "ws.max-frame-size   | 125     | 125B",
            "json.max-string-length | 1073741824 | 1GiB",
    })
    void sizesAreWrittenInTheLargestExactUnit(String key, long bytes, String text) {
        assertThat(ConfigKey.TCP_MAX_LINE_LENGTH.format(bytes)).isEqualTo(text);
        assertThat(ConfigKey.find(key).convert(text, "test")).isEqualTo(bytes);
    }

    @Test
    void durationsAreWrittenInTheLargestExactUnit() {
        assertThat(ConfigKey.WS_IDLE_TIMEOUT.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(ConfigKey.WS_IDLE_TIMEOUT.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigKey.WS_IDLE_TIMEOUT.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
        assertThat(ConfigKey.WS_IDLE_TIMEOUT.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(ConfigKey.TASKS_TTL.format(Duration.ofHours(1))).isEqualTo("1h");
    }

    @Test
    void checksInCodeNameTheKeyTheValueAndTheBounds() {
        assertThatThrownBy(() -> ConfigKey.WS_IDLE_TIMEOUT.check(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ws.idle-timeout : -5s (expected: >= 0)");
        assertThatThrownBy(() -> ConfigKey.TOOLS_DEFAULT_TIMEOUT.check(Duration.ZERO))
                .hasMessage("tools.default-timeout : 0s (expected: > 0)");
        assertThatThrownBy(() -> ConfigKey.JSON_MAX_NESTING_DEPTH.check(100_000))
                .hasMessage("json.max-nesting-depth : 100000 (expected: 1 to 10000)");
        assertThatThrownBy(() -> ConfigKey.TCP_MAX_LINE_LENGTH.check(512L))
                .hasMessage("tcp.max-line-length : 512B (expected: 1KiB to 256MiB)");
        assertThatThrownBy(() -> ConfigKey.WS_PATH.check("mcp")).hasMessage("ws.path : mcp (expected: a path starting with /)");
        assertThatThrownBy(() -> ConfigKey.SERVER_NAME.check(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("server.name");
    }

    @Test
    void environmentNamesFollowTheRule() {
        assertThat(ConfigKey.find("tcp.max-line-length").envName()).isEqualTo("PEREGRINE_TCP_MAX_LINE_LENGTH");
        assertThat(ConfigKey.find("demo.fs.root").envName()).isEqualTo("PEREGRINE_DEMO_FS_ROOT");
    }
}

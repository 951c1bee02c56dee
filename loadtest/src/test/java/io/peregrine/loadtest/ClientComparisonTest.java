package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientComparisonTest {

    private static Map<String, Object> run(double callsPerSecond, double p50, double p99, double bytes) {
        return Map.of("callsPerSecond", callsPerSecond, "p50Micros", p50, "p99Micros", p99, "allocatedBytesPerCall", bytes);
    }

    @Test
    void eachMetricHasItsOwnMedian() {
        Map<String, Object> odd = ClientComparison.medians(List.of(run(3, 30, 300, 1), run(1, 10, 100, 3), run(2, 20, 200, 2)));
        assertThat(odd).containsEntry("callsPerSecond", 2.0).containsEntry("p50Micros", 20.0)
                .containsEntry("p99Micros", 200.0).containsEntry("allocatedBytesPerCall", 2.0);
        Map<String, Object> even = ClientComparison.medians(List.of(run(4, 40, 400, 4), run(1, 10, 100, 1)));
        assertThat(even).containsEntry("callsPerSecond", 2.5).containsEntry("allocatedBytesPerCall", 2.5);
    }

    @Test
    void theTableGivesPeregrineOverTheSdk() {
        String table = ClientComparison.table("loadtest/run client --rounds 3", 3, run(2000, 50, 400, 1000),
                run(1000, 100, 800, 4000), run(8000, 25, 100, Double.NaN));
        assertThat(table).contains("| PeregrineClient | 2000 | 50 | 400 | 1000 |")
                .contains("| MCP Java SDK McpAsyncClient | 1000 | 100 | 800 | 4000 |")
                .contains("| Peregrine's load generator (no client library) | 8000 | 25 | 100 | – |")
                .contains("| PeregrineClient / SDK | 2.00x | 0.50x | 0.50x | 0.25x |")
                .contains("| PeregrineClient / generator | 0.25x | 2.00x | 4.00x | – |")
                .startsWith("`loadtest/run client --rounds 3` (medians of 3 rounds;");
    }

    @Test
    void roundsAreBoundedAndOnlyOverStreamableHttp() {
        assertThatThrownBy(() -> ClientComparison.run(Map.of("rounds", "21"))).hasMessageContaining("rounds : 21");
        assertThatThrownBy(() -> ClientComparison.run(Map.of("rounds", "1", "transport", "tcp")))
                .hasMessageContaining("--transport http");
    }

    @Test
    void bothClientsCallTheSameServerInOneRun(@TempDir Path dir) throws Exception {
        Path markdown = dir.resolve("client.md");
        int status = ClientComparison.run(Map.of("rounds", "1", "concurrency", "2", "warmup", "500ms",
                "duration", "1s", "markdown", markdown.toString()));
        assertThat(status).isZero();
        String table = Files.readString(markdown);
        assertThat(table).containsPattern("\\| PeregrineClient \\| [1-9]\\d* \\|")
                .containsPattern("\\| MCP Java SDK McpAsyncClient \\| [1-9]\\d* \\|")
                .containsPattern("\\| Peregrine's load generator \\(no client library\\) \\| [1-9]\\d* \\|")
                .contains("| PeregrineClient / SDK |");
    }
}

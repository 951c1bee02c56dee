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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitsComparisonTest {

    private static Map<String, Double> row(double callsPerSecond, double p99, double commandsPerCall) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("throughputPerSecond", callsPerSecond);
        m.put("p50Micros", 100.0);
        m.put("p99Micros", p99);
        m.put("redisCommandsPerCall", commandsPerCall);
        m.put("calls", callsPerSecond * 5);
        m.put("errorsTotal", 0.0);
        m.put("decidedWithoutRedisTotal", 0.0);
        return m;
    }

    @Test
    void eachSharedRowIsGivenAsARatioOfItsLocalOneWithTheP99ItAdds() {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        medians.put(LimitsComparison.row(Transport.TCP, 1000, "local"), row(10_000, 400, 0));
        medians.put(LimitsComparison.row(Transport.TCP, 1000, "exact"), row(6_000, 1_500, 1.0));
        medians.put(LimitsComparison.row(Transport.TCP, 1000, "lease"), row(8_000, 1_000, 0.1));
        medians.put(LimitsComparison.row(Transport.HTTP, 1000, "local"), row(4_000, 900, 0));
        medians.put(LimitsComparison.row(Transport.HTTP, 1000, "exact"), row(3_000, 700, 1));
        List<Map<String, Object>> overshoot = List.of(
                Map.of("mode", "exact", "replicas", 2, "limit", "echo=1000/1m", "admitted", 1000L,
                        "refused", 1500L, "overshoot", 0L, "decidedWithoutRedis", 0L, "redisCommandsPerCall", 1.0),
                Map.of("mode", "lease", "replicas", 2, "limit", "echo=1000/1m", "admitted", 991L,
                        "refused", 1509L, "overshoot", -9L, "decidedWithoutRedis", 0L, "redisCommandsPerCall", 0.041));
        String table = LimitsComparison.table("loadtest/run limits --rounds 3", 3, 64, medians, overshoot);
        assertThat(table).startsWith("`loadtest/run limits --rounds 3` (medians of 3 rounds;")
                .contains("| TCP | 1,000 (64 at a time, one per connection) | local | 10000 | 100 | 400 | 0 | 50000 | 0 | – |  |  |")
                .contains("| TCP | 1,000 (64 at a time, one per connection) | shared (Redis), exact | 6000 | 100 | 1500 | 1.00 | 30000 | 0 | 0 | **0.60** | +1100 |")
                .contains("| TCP | 1,000 (64 at a time, one per connection) | shared (Redis), lease | 8000 | 100 | 1000 | 0.10 | 40000 | 0 | 0 | **0.80** | +600 |")
                .contains("| Streamable HTTP | 1,000 | shared (Redis), exact | 3000 | 100 | 700 | 1.00 | 15000 | 0 | 0 | **0.75** | -200 |")
                .contains("| shared (Redis), exact | 2500 | 1000 | 1000 | 1500 | **0** | 1.00 | 0 |")
                .contains("| shared (Redis), lease | 2500 | 991 | 1000 | 1509 | **-9** | 0.04 | 0 |");
    }

    @Test
    void theServersMetricsAreSummedByWhatTheyCount() {
        LimitsComparison.Counters c = LimitsComparison.Counters.parse(String.join("\n",
                "# TYPE peregrine_redis_commands_total counter",
                "peregrine_redis_commands_total{command=\"EVAL\",result=\"ok\"} 10.0",
                "peregrine_redis_commands_total{command=\"GET\",result=\"ok\"} 12.0",
                "peregrine_ratelimit_decisions_total{limiter=\"principal_tool\",outcome=\"admitted\"} 20.0",
                "peregrine_ratelimit_decisions_total{limiter=\"principal_tool\",outcome=\"refused\"} 3.0",
                "peregrine_ratelimit_decisions_total{limiter=\"global\",outcome=\"admitted\"} 99.0",
                "peregrine_redis_fallback_decisions_total{mode=\"fail_open\"} 2.0", ""));
        assertThat(c).isEqualTo(new LimitsComparison.Counters(22, 20, 3, 2));
        assertThat(c.minus(new LimitsComparison.Counters(2, 10, 1, 2))).isEqualTo(new LimitsComparison.Counters(20, 10, 2, 0));
    }

    @Test
    void roundsConnectionsAndChoicesAreBounded() {
        assertThatThrownBy(() -> LimitsComparison.run(Map.of("rounds", "6"))).hasMessageContaining("rounds : 6");
        assertThatThrownBy(() -> LimitsComparison.run(Map.of("connections", "1000"))).hasMessageContaining("connections : 1000");
        assertThatThrownBy(() -> LimitsComparison.run(Map.of("principals", "7"))).hasMessageContaining("principals : 7");
        assertThatThrownBy(() -> LimitsComparison.run(Map.of("transport", "ws"))).hasMessageContaining("transport : ws");
        assertThatThrownBy(() -> LimitsComparison.run(Map.of("duration", "2m"))).hasMessageContaining("at most 1 minute");
    }

    /** One tiny round against real servers and a real redis-server: every row ran, no call failed. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void oneRoundComparesLocalAndSharedLimitsAndCountsTheAdmittedCalls(@TempDir Path dir) throws Exception {
        Path markdown = dir.resolve("limits.md");
        Path json = dir.resolve("limits.json");
        System.setProperty(LimitsComparison.SERVER_JAVA_OPTS, "-Xmx128m -XX:+UseSerialGC");
        try {
            int status = LimitsComparison.run(Map.of("rounds", "1", "connections", "2", "warmup", "300ms",
                    "duration", "700ms", "markdown", markdown.toString(), "json", json.toString()));
            assertThat(status).isZero();
        } finally {
            System.clearProperty(LimitsComparison.SERVER_JAVA_OPTS);
        }
        String table = Files.readString(markdown);
        // Over TCP a connection is one principal: of more principals than connections, a few call at a time.
        String[][] rows = {{"TCP", "1"}, {"TCP", "1,000 \\(2 at a time, one per connection\\)"},
                {"Streamable HTTP", "1"}, {"Streamable HTTP", "1,000"}};
        for (String[] r : rows) {
            // Calls were made and none failed; the local server asked Redis nothing, the shared ones something.
            assertThat(table).containsPattern("\\| " + r[0] + " \\| " + r[1]
                    + " \\| local \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| 0 \\| [1-9]\\d* \\| 0 \\|");
            for (String mode : List.of("exact", "lease")) {
                assertThat(table).containsPattern("\\| " + r[0] + " \\| " + r[1] + " \\| shared \\(Redis\\), " + mode
                        + " \\| [1-9]\\d* \\| \\d+ \\| \\d+ \\| (?!0\\.00)\\d+\\.\\d\\d \\| [1-9]\\d* \\| 0 \\|");
            }
        }
        // The overshoot phase asked for more than its limit in each mode, and the two replicas admitted no more than
        // it but for what the failure mode decided while Redis did not answer in time.
        for (String mode : List.of("exact", "lease")) {
            Matcher m = Pattern.compile("\\| shared \\(Redis\\), " + mode + " \\| (\\d+) \\| (\\d+) \\| 1000 \\| (\\d+)"
                    + " \\| \\*\\*-?\\d+\\*\\* \\| \\d+\\.\\d\\d \\| (\\d+) \\|").matcher(table);
            assertThat(m.find()).as(table).isTrue();
            assertThat(Long.parseLong(m.group(1))).isGreaterThan(LimitsComparison.OVERSHOOT_LIMIT);
            assertThat(Long.parseLong(m.group(2)))
                    .isLessThanOrEqualTo(LimitsComparison.OVERSHOOT_LIMIT + Long.parseLong(m.group(4)));
        }
        assertThat(Files.readString(json)).contains("\"tcp 1 local\"", "\"tcp 1000 exact\"", "\"http 1000 lease\"",
                "\"redisCommandsPerCall\"", "\"overshoot\"");
    }
}

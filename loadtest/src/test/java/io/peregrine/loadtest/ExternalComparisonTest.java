package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ExternalComparisonTest {

    @Test
    void wrkResultLineGivesRateLatenciesAndEveryKindOfErrorAsOne() {
        Map<String, Object> s = ExternalComparison.wrkFigures("Running 2s test\n  1 threads and 64 connections\n"
                + "wrk-result requests=10000 micros=2000000 bad=3 connect=1 read=0 write=0 status=3 timeout=2"
                + " p50=900 p99=4000 p999=9000 max=12000\n");
        assertThat((double) s.get("throughputPerSecond")).isEqualTo(5000.0);
        assertThat(s).containsEntry("p50Micros", 900L).containsEntry("p99Micros", 4000L).containsEntry("p999Micros", 9000L)
                // bad answers (the status ones among them), failed connects and timeouts
                .containsEntry("errors", 6L).containsEntry("requests", 10000L);
        assertThatThrownBy(() -> ExternalComparison.wrkFigures("Running 2s test\n"))
                .hasMessageContaining("no wrk-result line");
    }

    @Test
    void h2loadSummaryAndLogGiveRateLatenciesAndNon2xxAsErrorsButNotTheStreamsStillInFlight() {
        String output = "finished in 2.00s, 400.00 req/s, 120.00KB/s\n"
                + "requests: 800 total, 864 started, 800 done, 798 succeeded, 2 failed, 0 errored, 1 timeout\n"
                + "status codes: 798 2xx, 0 3xx, 2 4xx, 0 5xx\n";
        List<String> log = List.of("1796520832670232\t200\t100", "1796520832670233\t200\t300", "1796520832670234\t404\t200",
                "1796520832670235\t200\t400");
        Map<String, Object> s = ExternalComparison.h2loadFigures(output, log);
        assertThat((double) s.get("throughputPerSecond")).isEqualTo(400.0);
        assertThat(s).containsEntry("p50Micros", 200L).containsEntry("p99Micros", 400L).containsEntry("errors", 3L);
    }

    @Test
    void childrenCpuIsTheLastLineOfBashTimes() {
        assertThat(ExternalComparison.childrenCpuSeconds("output\n0m0.003s 0m0.001s\n1m2.500s 0m0.250s\n"))
                .isCloseTo(62.75, within(1e-9));
        assertThatThrownBy(() -> ExternalComparison.childrenCpuSeconds("nothing")).hasMessageContaining("no CPU times");
    }

    @Test
    void nearestRankPercentiles() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(ExternalComparison.percentile(sorted, 50)).isEqualTo(5);
        assertThat(ExternalComparison.percentile(sorted, 99)).isEqualTo(10);
        assertThat(ExternalComparison.percentile(sorted, 10)).isEqualTo(1);
        assertThat(ExternalComparison.percentile(new long[0], 99)).isZero();
    }

    @Test
    void badCommandLinesAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> ExternalComparison.run(Map.of("rounds", "6"))).hasMessageContaining("rounds : 6");
        assertThatThrownBy(() -> ExternalComparison.run(Map.of("only", "ws"))).hasMessageContaining("only : ws");
        assertThatThrownBy(() -> ExternalComparison.run(Map.of("connections", "0"))).hasMessageContaining("connections : 0");
        assertThatThrownBy(() -> ExternalComparison.run(Map.of("duration", "1500ms"))).hasMessageContaining("whole seconds");
    }

    @Test
    void peregrineRowsCarryTheirRatioToTheReference() {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        medians.put("wrk 2025-11-25 raw", row(10_000));
        medians.put("wrk 2025-11-25 peregrine", row(8_500));
        String table = ExternalComparison.table(ExternalComparison.Plan.of(Map.of("only", "http", "rounds", "3")), medians);
        assertThat(table).contains("`loadtest/run external --rounds 3 --connections 64")
                .contains("| wrk | HTTP/1.1 | 2025-11-25 | 64 connections × 1 | raw Netty reference | 10000 |")
                .contains("| wrk | HTTP/1.1 | 2025-11-25 | 64 connections × 1 | Peregrine | 8500 | 500 | 2000 | 4000 | 0 | 95% | 80% | **0.85** |");
    }

    private static Map<String, Double> row(double callsPerSecond) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("throughputPerSecond", callsPerSecond);
        m.put("p50Micros", 500.0);
        m.put("p99Micros", 2000.0);
        m.put("p999Micros", 4000.0);
        m.put("errorsTotal", 0.0);
        m.put("generatorCpuPercent", 95.0);
        m.put("serverCpuPercent", 80.0);
        return m;
    }

    /** The Lua script's check is real: answers of the wrong length are bad, every one of them. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theScriptCountsAnswersThatDoNotEchoTheMessageAsBad() throws Exception {
        try (RawEchoServer raw = RawEchoServer.start(Transport.HTTP, Era.V2026_07_28, 100, 1)) {
            String url = ExternalComparison.endpoint(raw.address()).toString();
            wrk(url, "100"); // a cold JVM may answer nothing within the first second
            Map<String, Object> right = wrk(url, "100");
            Map<String, Object> wrong = wrk(url, "99");
            assertThat((long) right.get("requests")).isPositive();
            assertThat(right).containsEntry("errors", 0L);
            assertThat((long) wrong.get("requests")).isPositive();
            assertThat(wrong).containsEntry("errors", wrong.get("requests"));
        }
    }

    private static Map<String, Object> wrk(String url, String payload) throws IOException, InterruptedException {
        ExternalComparison.Generated g = ExternalComparison.generate(List.of("wrk", "-t1", "-c2", "-d1s",
                "-s", ExternalComparison.script().toString(), url, "2026-07-28", "-", payload), Duration.ofSeconds(60));
        assertThat(g.cpuSeconds()).isPositive();
        return ExternalComparison.wrkFigures(g.output());
    }

    /** One tiny round of the whole comparison: both generators, both eras, both servers, every answer right. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void oneTinyRoundRunsEveryRowWithoutAnError(@TempDir Path dir) throws Exception {
        System.setProperty(ExternalComparison.SERVER_JAVA_OPTS, "-Xmx128m -XX:+UseSerialGC");
        try {
            Path markdown = dir.resolve("external.md");
            int status = ExternalComparison.run(Map.of("rounds", "1", "connections", "4", "h2-connections", "1",
                    "streams", "4", "warmup", "0s", "duration", "1s", "markdown", markdown.toString()));
            String table = Files.readString(markdown);
            System.out.print(table);
            assertThat(status).isZero();
            assertThat(table).contains("| wrk | HTTP/1.1 | 2025-11-25 | 4 connections × 1 | Peregrine |")
                    .contains("| wrk | HTTP/1.1 | 2026-07-28 | 4 connections × 1 | raw Netty reference |")
                    .contains("| h2load | h2c | 2026-07-28 | 1 connections × 4 streams | Peregrine |");
            assertThat(table.lines().filter(l -> l.contains("| Peregrine |")))
                    .hasSize(3).allSatisfy(l -> assertThat(l).matches(".*\\| \\*\\*\\d+\\.\\d\\d\\*\\* \\|$"));
        } finally {
            System.clearProperty(ExternalComparison.SERVER_JAVA_OPTS);
        }
    }
}

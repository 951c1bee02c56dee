package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The soak run's command line, the server's settings, the workload's mix and the report. */
class SoakOptionsTest {

    @Test
    void defaultsAndBounds() {
        assertThat(SoakMain.parse()).isEmpty();
        assertThat(SoakMain.parse("--help")).isNull();
        assertThat(SoakMain.parse("--duration", "60s", "--sample", "5s", "--rate", "100"))
                .containsEntry("duration", "60s").containsEntry("rate", "100");
        assertThatThrownBy(() -> SoakMain.parse("--rate", "100", "--fraction", "0.3")).hasMessageContaining("both given");
        assertThatThrownBy(() -> SoakMain.parse("--rate", "5000")).hasMessageContaining("1 to 1000");
        assertThatThrownBy(() -> SoakMain.parse("--fraction", "0")).hasMessageContaining("fraction");
        assertThatThrownBy(() -> SoakMain.parse("--duration", "10s", "--sample", "5s")).hasMessageContaining("at least 4 samples");
        assertThatThrownBy(() -> SoakMain.parse("--duration", "1500m")).hasMessageContaining("at most 24 h");
        assertThatThrownBy(() -> SoakMain.parse("--sample", "500ms")).hasMessageContaining("every 1 s");
        assertThatThrownBy(() -> SoakMain.parse("--p99-factor", "0.5")).hasMessageContaining("expected");
        assertThatThrownBy(() -> SoakMain.parse("--leak", "-1")).hasMessageContaining("bytes >= 0");
        assertThatThrownBy(() -> SoakMain.parse("--rounds", "2")).hasMessageContaining("unknown option");
        assertThat(SoakMain.tolerances(Map.of("tolerance", "0.2", "p99-factor", "5")).relative).isEqualTo(0.2);
    }

    @Test
    void theServerListensOnLoopbackWithKeysAndALimit(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<String> args = SoakMain.serverArgs(dir, "k1", "k2");
        assertThat(args).contains("tcp.host=127.0.0.1", "http.host=127.0.0.1", "http.auth=api-key",
                "limits.per-principal-tool=fs.stat=5/1s", "tcp.max-line-length=65536");
        assertThat(Files.readString(dir.resolve("api-keys"))).isEqualTo("soak k1 *\nlimited k2 *\n");
    }

    @Test
    void theMixIsAHundredOperationsWithEveryKind() {
        SoakWorkload.Kind[] sequence = SoakWorkload.sequence();
        assertThat(sequence).hasSize(100);
        for (SoakWorkload.Kind k : SoakWorkload.Kind.values()) {
            assertThat(Arrays.stream(sequence).filter(k::equals).count()).as(k.name()).isEqualTo(k.weight);
        }
    }

    @Test
    void theReportHasTheVerdictTheSamplesAndAChartThatParses() throws Exception {
        List<SoakSample> samples = new ArrayList<>();
        for (int t = 0; t <= 60; t += 5) {
            samples.add(new SoakSample(t, (17 + t) * 1024L * 1024, 380L * 1024 * 1024, 150, 41, 2L * 1024 * 1024,
                    1000, 125, 0, 2_300, 12_000));
        }
        SoakVerdict verdict = new SoakVerdict(samples, SoakVerdict.Tolerances.defaults(), 0, 0, 12_000, 12_000, 0);
        SoakReport report = new SoakReport("loadtest/run soak --duration 60s", "100 operations/s", samples, verdict,
                6000, 5000, Map.of("cancelled", 100L), 0, 0, 12_000, 12_000, 11_000, 11_000, Map.of(), List.of());
        String md = report.markdown();
        assertThat(md).contains("**Verdict: FAILED.**", "leak: heap after GC: +30.0 MiB", "| 60 | 77.0 | 380.0 | 150 | 41 |");
        String svg = report.svg();
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(svg).contains("<polyline", "FAILED");
    }
}

package io.peregrine.ops.metrics;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators install next to Peregrine ({@code deploy/prometheus}) is checked by Prometheus's
 * own tool: the scrape configuration, the rules, and the rule tests, which must show every alert
 * both firing and staying quiet.
 */
class DeployRulesTest {

    private final Path deploy = PrometheusTools.deploy();
    private final Path prometheus = deploy.resolve("prometheus");

    @Test
    void theScrapeConfigurationIsValid() throws Exception {
        String out = PrometheusTools.run(prometheus, PrometheusTools.binary("promtool").toString(),
                "check", "config", "prometheus.yml");
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void theRulesAreValid() throws Exception {
        List<String> command = new ArrayList<>(List.of(PrometheusTools.binary("promtool").toString(), "check", "rules"));
        command.addAll(files("rules"));
        assertThat(PrometheusTools.run(prometheus, command.toArray(new String[0]))).contains("SUCCESS");
    }

    @Test
    void theRuleTestsPass() throws Exception {
        List<String> command = new ArrayList<>(List.of(PrometheusTools.binary("promtool").toString(), "test", "rules"));
        command.addAll(files("tests"));
        String out = PrometheusTools.run(prometheus, command.toArray(new String[0]));
        assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsTestedFiringAndQuiet() throws IOException {
        Set<String> alerts = new HashSet<>();
        for (String file : files("rules")) {
            Map<String, Object> rules = (Map<String, Object>) load(prometheus.resolve(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    if (rule.containsKey("alert")) {
                        alerts.add((String) rule.get("alert"));
                    }
                }
            }
        }
        Set<String> firing = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (String file : files("tests")) {
            Map<String, Object> tests = (Map<String, Object>) load(prometheus.resolve(file));
            for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
                for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                    List<?> expected = (List<?>) check.get("exp_alerts");
                    (expected == null || expected.isEmpty() ? quiet : firing).add((String) check.get("alertname"));
                }
            }
        }
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(11);
        assertThat(firing).as("alerts tested firing").containsAll(alerts);
        assertThat(quiet).as("alerts tested quiet").containsAll(alerts);
    }

    private List<String> files(String folder) throws IOException {
        try (Stream<Path> s = Files.list(prometheus.resolve(folder))) {
            List<String> names = new ArrayList<>();
            s.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(p -> names.add(folder + "/" + p.getFileName()));
            assertThat(names).as("yml files in " + folder).isNotEmpty();
            return names;
        }
    }

    private static Object load(Path file) throws IOException {
        return new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }
}

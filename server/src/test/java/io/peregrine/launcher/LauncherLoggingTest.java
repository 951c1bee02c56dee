package io.peregrine.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peregrine.testing.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's log as an operator gets it: the real process, configured with {@code log.*}, its
 * stderr read line by line while it serves stdio and authenticated HTTP.
 */
class LauncherLoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HTTP_PORT = Pattern.compile("Streamable HTTP on http://127\\.0\\.0\\.1:(\\d+)/");

    private static final String ARGUMENT_SECRET = "s3cret-argument-value";
    private static final String HTTP_ARGUMENT_SECRET = "another-s3cret-value";
    private static final String WRONG_TOKEN = "wrong-token-abc123";
    private static final String API_KEY = "right-key-xyz789";

    @Test
    void jsonLinesAtDebugCarryNoTokenAndNoArgument(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "alice " + API_KEY + " *\n");
        List<JsonNode> lines = new ArrayList<>();
        try (LauncherProcess server = LauncherProcess.start("log.format=json", "log.level=debug",
                "log.levels.io.peregrine=trace", "log.access=true", "audit.tool-calls=true",
                "http.enabled=true", "http.port=0", "http.auth=api-key", "auth.api-keys-file=" + keys,
                "demo.fs.root=" + dir)) {
            Matcher port = HTTP_PORT.matcher(server.awaitLog(l -> HTTP_PORT.matcher(l).find()));
            assertThat(port.find()).isTrue();

            server.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
            assertThat(server.receive()).contains("\"protocolVersion\":\"2025-11-25\"");
            server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/not-known-here\"}");
            server.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"" + ARGUMENT_SECRET + "\"}}}");
            assertThat(server.receive()).contains(ARGUMENT_SECRET);

            HttpClient http = HttpClient.newHttpClient();
            URI mcp = URI.create("http://127.0.0.1:" + port.group(1) + "/mcp");
            assertThat(http.send(call(mcp, WRONG_TOKEN), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> ok = http.send(call(mcp, API_KEY), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains(HTTP_ARGUMENT_SECRET);

            assertThat(server.stop()).isZero();
            for (String line : server.logLines()) {
                lines.add(JSON.readTree(line));
                assertThat(line).doesNotContain(ARGUMENT_SECRET, HTTP_ARGUMENT_SECRET, WRONG_TOKEN, API_KEY);
            }
        }
        assertThat(lines).allSatisfy(l -> assertThat(l.isObject() && l.has("timestamp") && l.has("level")
                && l.has("logger") && l.has("thread")).as(l.toString()).isTrue());
        assertThat(lines).filteredOn(l -> l.path("level").asText().equals("DEBUG"))
                .extracting(l -> l.path("message").asText()).anyMatch(m -> m.contains("notifications/not-known-here"));
        assertThat(lines).filteredOn(l -> l.path("logger").asText().equals("peregrine.audit"))
                .extracting(l -> l.path("event").asText()).contains("auth_failure", "tool_call");
        assertThat(lines).filteredOn(l -> "tool_call".equals(l.path("event").asText()))
                .extracting(l -> l.path("tool").asText() + "/" + l.path("outcome").asText())
                .contains("echo/ok");
    }

    private static HttpRequest call(URI mcp, String token) {
        return HttpRequest.newBuilder(mcp)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call")
                .header("Mcp-Name", "echo")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"" + HTTP_ARGUMENT_SECRET + "\"},"
                        + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}"))
                .build();
    }
}

package io.peregrine.transport.http;

import io.peregrine.Peregrine;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.AskingTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asking the client over Streamable HTTP in the 2025 era: the server's request travels on the SSE
 * stream of the POST that made the call, the client's answer comes back in a POST of its own, and
 * the two are correlated through the session.
 */
class StreamableHttpClientRequestsTest {

    private static Peregrine server;
    private static URI endpoint;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().noTcp().http("127.0.0.1", 0);
        AskingTools.all().forEach(b::tool);
        server = b.build();
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpRequest.Builder post(String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nextEvent(Iterator<String> lines) throws Exception {
        while (lines.hasNext()) {
            String line = lines.next();
            // An event without data primes the stream for resumption; it carries no message.
            if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                return (Map<String, Object>) JsonTree.parse(line.substring(5).trim());
            }
        }
        throw new AssertionError("the stream ended");
    }

    @Test
    void anElicitationIsAnsweredInASeparatePostOfTheSession() throws Exception {
        HttpResponse<String> init = HTTP.send(post(null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"elicitation\":{}},"
                + "\"clientInfo\":{\"name\":\"http\",\"version\":\"1\"}}}").build(), HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HTTP.send(post(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").build(),
                HttpResponse.BodyHandlers.discarding());

        HttpResponse<Stream<String>> call = HTTP.send(post(session,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_name\",\"arguments\":{}}}")
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(call.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Iterator<String> lines = call.body().iterator();
        Map<String, Object> ask = nextEvent(lines);
        assertThat(ask.get("method")).isEqualTo("elicitation/create");

        HttpResponse<String> answered = HTTP.send(post(session, "{\"jsonrpc\":\"2.0\",\"id\":\"" + ask.get("id")
                + "\",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"Hal\"}}}").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answered.statusCode()).isEqualTo(202);

        Map<String, Object> result = nextEvent(lines);
        assertThat(result.get("id")).isEqualTo(1L);
        assertThat(at(result, "result.content.0.text")).isEqualTo("Hello, Hal!");
        assertThat(server.core().pendingClientRequests()).isZero();

        // An answer to nothing is refused on its own exchange.
        HttpResponse<String> stray = HTTP.send(post(session,
                "{\"jsonrpc\":\"2.0\",\"id\":\"peregrine-999\",\"result\":{}}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stray.body()).contains("-32600").contains("does not match any request");
    }

    @Test
    void modernRoundsNeedNoSession() throws Exception {
        String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"http\",\"version\":\"1\"}}";
        HttpRequest.Builder first = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "ask_name")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"ask_name\",\"arguments\":{}," + meta + "}}"));
        @SuppressWarnings("unchecked")
        Map<String, Object> r1 = (Map<String, Object>) JsonTree.parse(HTTP.send(first.build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(at(r1, "result.resultType")).isEqualTo("input_required");
        HttpRequest.Builder retry = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "ask_name")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"ask_name\",\"arguments\":{},\"inputResponses\":{\"user_name\":"
                        + "{\"action\":\"accept\",\"content\":{\"name\":\"Ivy\"}}},\"requestState\":\""
                        + at(r1, "result.requestState") + "\"," + meta + "}}"));
        @SuppressWarnings("unchecked")
        Map<String, Object> r2 = (Map<String, Object>) JsonTree.parse(HTTP.send(retry.build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(at(r2, "result.content.0.text")).isEqualTo("Hello, Ivy!");
    }
}

package io.peregrine.transport.http;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.TestContent;
import io.peregrine.testing.TestTools;
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
 * Resources, logging and change notifications over Streamable HTTP: a request's log messages ride
 * its own response stream, a 2026-07-28 {@code subscriptions/listen} keeps its POST's stream open
 * for its notifications, and a 2025 session hears list changes on its GET stream.
 */
class StreamableHttpFeaturesTest {

    private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"http\",\"version\":\"1\"}";

    private static Peregrine server;
    private static URI endpoint;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().noTcp().http("127.0.0.1", 0)
                .tool(EchoTool.create()).tool(TestContent.chatty()).resourceTemplate(TestContent.items());
        TestContent.resources().forEach(b::resource);
        server = b.build();
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpRequest modern(String method, String name, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (name != null) {
            b.header("Mcp-Name", name);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nextEvent(Iterator<String> lines) {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                try {
                    return (Map<String, Object>) JsonTree.parse(line.substring(5).trim());
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("the stream ended");
    }

    @Test
    @SuppressWarnings("unchecked")
    void modernResourceReadsAndNotFoundOverHttp() throws Exception {
        HttpResponse<String> ok = HTTP.send(modern("resources/read", "test://items/9",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://items/9\"," + META + "}}}"),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> r = (Map<String, Object>) JsonTree.parse(ok.body());
        assertThat(at(r, "result.contents.0.text")).isEqualTo("item 9");
        assertThat(at(r, "result.cacheScope")).isEqualTo("private");
        HttpResponse<String> missing = HTTP.send(modern("resources/read", "test://nowhere",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://nowhere\"," + META + "}}}"),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> e = (Map<String, Object>) JsonTree.parse(missing.body());
        assertThat(at(e, "error.code")).isEqualTo(-32602L);
        assertThat(at(e, "error.data.uri")).isEqualTo("test://nowhere");
    }

    @Test
    void logMessagesRideTheRequestsOwnStream() throws Exception {
        String meta = META.replace("\"io.modelcontextprotocol/clientCapabilities\":{}",
                "\"io.modelcontextprotocol/clientCapabilities\":{},\"io.modelcontextprotocol/logLevel\":\"info\"");
        HttpResponse<Stream<String>> call = HTTP.send(modern("tools/call", "chatty",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chatty\",\"arguments\":{},"
                        + meta + "}}}"), HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = call.body().iterator();
        Map<String, Object> first = nextEvent(lines);
        assertThat(first.get("method")).isEqualTo("notifications/message");
        assertThat(at(first, "params.level")).isEqualTo("info");
        assertThat(at(nextEvent(lines), "params.level")).isEqualTo("warning");
        assertThat(at(nextEvent(lines), "result.content.0.text")).isEqualTo("logged");
    }

    @Test
    void listenKeepsItsPostOpenForTheNotificationsItAskedFor() throws Exception {
        HttpResponse<Stream<String>> listen = HTTP.send(modern("subscriptions/listen", null,
                "{\"jsonrpc\":\"2.0\",\"id\":\"l1\",\"method\":\"subscriptions/listen\",\"params\":{" + META
                        + "},\"notifications\":{\"toolsListChanged\":true,\"resourceSubscriptions\":[\"test://static/a\"]}}}"),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(listen.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (Stream<String> body = listen.body()) {
            Iterator<String> lines = body.iterator();
            Map<String, Object> ack = nextEvent(lines);
            assertThat(ack.get("method")).isEqualTo("notifications/subscriptions/acknowledged");
            assertThat(((Map<?, ?>) at(ack, "params._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("l1");
            server.tools().add(TestTools.boom());
            Map<String, Object> changed = nextEvent(lines);
            assertThat(changed.get("method")).isEqualTo("notifications/tools/list_changed");
            assertThat(((Map<?, ?>) at(changed, "params._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("l1");
            server.resources().updated("test://static/a");
            Map<String, Object> updated = nextEvent(lines);
            assertThat(at(updated, "params.uri")).isEqualTo("test://static/a");
        } finally {
            server.tools().remove("boom");
        }
    }

    @Test
    void aLegacySessionHearsListChangesOnItsGetStream() throws Exception {
        String session = legacySession(endpoint);
        HttpResponse<Stream<String>> get = getStream(endpoint, session);
        assertThat(get.statusCode()).isEqualTo(200);
        try (Stream<String> body = get.body()) {
            Iterator<String> lines = body.iterator();
            server.resources().add(TestContent.items());
            assertThat(nextEvent(lines).get("method")).isEqualTo("notifications/resources/list_changed");
        }
    }

    /**
     * A client opens its GET stream once the session has started: what changed in between (the
     * last {@code http.replay-events} messages of it) comes first on that stream, in order.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void theFirstGetStreamStartsWithWhatWasSentBeforeItOpened() throws Exception {
        Peregrine small = Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(EchoTool.create()).replayEvents(2).build();
        small.start();
        try {
            URI at = URI.create("http://127.0.0.1:" + small.addresses().http().getPort() + "/mcp");
            String session = legacySession(at);
            // Sent to the session at once (it is ready): before its GET, with no stream to carry them.
            small.tools().add(named("first"));
            small.resources().add(TestContent.items());
            small.prompts().add(io.peregrine.prompt.Prompt.builder("early")
                    .handler(args -> io.peregrine.prompt.PromptResult.text("early")).build());
            HttpResponse<Stream<String>> get = getStream(at, session);
            assertThat(get.statusCode()).isEqualTo(200);
            try (Stream<String> body = get.body()) {
                Iterator<String> lines = body.iterator();
                // Two are kept (replay-events 2): the oldest, tools/list_changed, made way.
                assertThat(nextEvent(lines).get("method")).isEqualTo("notifications/resources/list_changed");
                assertThat(nextEvent(lines).get("method")).isEqualTo("notifications/prompts/list_changed");
                small.tools().add(named("second"));
                assertThat(nextEvent(lines).get("method")).isEqualTo("notifications/tools/list_changed");
                assertThat(getStream(at, session).statusCode()).as("a session has one GET stream").isEqualTo(409);
            }
        } finally {
            small.close();
        }
    }

    private static io.peregrine.tool.Tool named(String name) {
        return io.peregrine.tool.Tool.builder(name).handler((args, ctx) -> io.peregrine.tool.ToolResult.text(name)).build();
    }

    /** Starts a 2025-11-25 session at {@code at}, initialized; its id. */
    private static String legacySession(URI at) throws Exception {
        HttpResponse<String> init = HTTP.send(HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                        + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"h\",\"version\":\"1\"}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<Void> initialized = HTTP.send(HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(initialized.statusCode()).isEqualTo(202);
        return session;
    }

    private static HttpResponse<Stream<String>> getStream(URI at, String session) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(10))
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25").GET().build(), HttpResponse.BodyHandlers.ofLines());
    }
}

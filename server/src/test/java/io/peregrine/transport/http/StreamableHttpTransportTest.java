package io.peregrine.transport.http;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.Gates;
import io.peregrine.testing.RawHttp;
import io.peregrine.testing.TestTools;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Streamable HTTP adds of its own to the MCP behaviour kit: status codes for every kind of
 * bad request, sessions, SSE streams and their resumption, pipelining, and the limits that keep
 * one client from holding the server.
 */
@SuppressWarnings("unchecked")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamableHttpTransportTest {

    private static final String JSON = "Content-Type: application/json";
    private static final String ACCEPT = "Accept: application/json, text/event-stream";
    private static final String MODERN_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    private static final String MODERN_ECHO = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"echo\",\"arguments\":{\"message\":\"%s\"}," + MODERN_META + "}}";
    private static final String[] MODERN_ECHO_HEADERS = {"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call",
        "Mcp-Name: echo"};
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

    private final Gates gates = new Gates();
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final CountDownLatch blockStarted = new CountDownLatch(1);
    private Peregrine server;
    private InetSocketAddress address;

    @BeforeAll
    void start() throws Exception {
        Tool block = Tool.builder("block").blocking(true).timeout(Duration.ofSeconds(30)).handler((args, ctx) -> {
            blockStarted.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return ToolResult.text("never");
        }).build();
        Tool regional = Tool.builder("regional").blocking(false)
                .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                        + "\"shard\":{\"type\":\"integer\",\"x-mcp-header\":\"Shard\"}}}")
                .handler((args, ctx) -> ToolResult.text("ran in " + args.string("region", "nowhere"))).build();
        server = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).tool(block).tool(regional)
                .tool(gates.tool("gate")).noTcp().http("127.0.0.1", 0).maxBodyBytes(64 * 1024)
                .httpKeepAliveTimeout(Duration.ofSeconds(5)).build();
        address = server.start().http();
    }

    @AfterAll
    void stop() {
        gates.openAll();
        server.close();
    }

    private RawHttp http() throws IOException {
        return new RawHttp(address);
    }

    private String startSession(RawHttp h) throws IOException {
        RawHttp.Response init = h.postJson("/mcp", INITIALIZE).read();
        assertThat(init.status).isEqualTo(200);
        String id = init.header("mcp-session-id");
        assertThat(id).isNotNull();
        assertThat(h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 2025-11-25").read().status).isEqualTo(202);
        return id;
    }

    // ------------------------------------------------------------------ the table of refusals

    static Stream<Arguments> refusals() {
        String legacyCall = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"x\"}}}";
        return Stream.of(
                Arguments.of("no Content-Type", "POST", legacyCall, new String[] {ACCEPT}, 415, "Content-Type"),
                Arguments.of("wrong Content-Type", "POST", legacyCall, new String[] {"Content-Type: text/plain", ACCEPT}, 415, "text/plain"),
                Arguments.of("unsupported Accept", "POST", legacyCall, new String[] {JSON, "Accept: text/html"}, 406, "text/event-stream"),
                Arguments.of("Accept without event streams", "POST", legacyCall, new String[] {JSON, "Accept: application/json"}, 406, "both"),
                Arguments.of("empty body", "POST", "", new String[] {JSON, ACCEPT}, 400, "empty"),
                Arguments.of("malformed JSON", "POST", "{\"jsonrpc\":", new String[] {JSON, ACCEPT}, 400, "Parse error"),
                Arguments.of("no session", "POST", legacyCall, new String[] {JSON, ACCEPT}, 400, "Mcp-Session-Id"),
                Arguments.of("unknown session", "POST", legacyCall, new String[] {JSON, ACCEPT, "Mcp-Session-Id: nope"}, 404, "Session not found"),
                Arguments.of("unsupported MCP-Protocol-Version", "POST", String.format(MODERN_ECHO, 1, "x"),
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2099-01-01", "Mcp-Method: tools/call", "Mcp-Name: echo"}, 400, "2099-01-01"),
                Arguments.of("2026 without MCP-Protocol-Version", "POST", String.format(MODERN_ECHO, 1, "x"),
                        new String[] {JSON, ACCEPT, "Mcp-Method: tools/call", "Mcp-Name: echo"}, 400, "Header mismatch"),
                Arguments.of("2026 without Mcp-Method", "POST", String.format(MODERN_ECHO, 1, "x"),
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2026-07-28", "Mcp-Name: echo"}, 400, "Mcp-Method"),
                Arguments.of("2026 Mcp-Method mismatch", "POST", String.format(MODERN_ECHO, 1, "x"),
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list", "Mcp-Name: echo"}, 400, "does not match"),
                Arguments.of("2026 Mcp-Name mismatch", "POST", String.format(MODERN_ECHO, 1, "x"),
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: other"}, 400, "'other'"),
                // A name given twice: the header is checked against the one the server would call (the first), as
                // the body is read once; a second reading that kept the last let "other" pass and "echo" run.
                Arguments.of("2026 Mcp-Name against a name given twice", "POST", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"x\"},\"name\":\"other\"," + MODERN_META + "}}",
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: other"}, 400, "'other'"),
                Arguments.of("2026 unknown method", "POST", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope/nope\",\"params\":{" + MODERN_META + "}}",
                        new String[] {JSON, ACCEPT, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: nope/nope"}, 404, "Method not found"),
                Arguments.of("forbidden Origin", "POST", legacyCall, new String[] {JSON, ACCEPT, "Origin: http://evil.example"}, 403, "evil.example"),
                Arguments.of("GET without text/event-stream", "GET", null, new String[] {"Accept: application/json"}, 406, "text/event-stream"),
                Arguments.of("GET without session", "GET", null, new String[] {"Accept: text/event-stream"}, 400, "Mcp-Session-Id"),
                Arguments.of("GET in 2026-07-28", "GET", null, new String[] {"Accept: text/event-stream", "MCP-Protocol-Version: 2026-07-28"}, 405, "subscriptions/listen"),
                Arguments.of("DELETE of an unknown session", "DELETE", null, new String[] {"Mcp-Session-Id: nope"}, 404, "Session not found"),
                Arguments.of("another method", "PUT", null, new String[] {}, 405, "POST, GET and DELETE"),
                Arguments.of("another path", "POST", legacyCall, new String[] {JSON, ACCEPT}, 404, "/mcp"),
                Arguments.of("WebSocket upgrade at another path", "GET", null, new String[] {"Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"}, 404, "WebSocket"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void badRequestsGetTheirStatusAndAClearMessage(String name, String method, String body, String[] headers, int status,
                                                   String part) throws Exception {
        String path = name.equals("another path") || name.startsWith("WebSocket upgrade") ? "/elsewhere" : "/mcp";
        try (RawHttp h = http()) {
            if (body != null) {
                h.post(path, body, headers);
            } else {
                h.request(method, path, headers);
            }
            RawHttp.Response r = h.read();
            assertThat(r.status).as(r.toString()).isEqualTo(status);
            assertThat(r.body).contains(part);
            if (r.header("content-type").startsWith("application/json") && r.body.contains("\"error\"")) {
                assertThat(((Map<String, Object>) JsonTree.parse(r.body)).get("error")).isInstanceOf(Map.class);
            }
        }
        assertStillServes();
    }

    @Test
    void refusalsOfARequestNameItsId() throws Exception {
        try (RawHttp h = http()) {
            RawHttp.Response r = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"tools/list\"}").read();
            assertThat(r.status).isEqualTo(400);
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo("abc");
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo(-32600L);
        }
    }

    private void assertStillServes() throws Exception {
        try (RawHttp h = http()) {
            RawHttp.Response r = h.postJson("/mcp", String.format(MODERN_ECHO, 9, "still here"), MODERN_ECHO_HEADERS).read();
            assertThat(r.status).isEqualTo(200);
            assertThat(at(JsonTree.parse(r.body), "result.content.0.text")).isEqualTo("still here");
        }
    }

    // ------------------------------------------------------------------ 2026-07-28

    @Test
    void modernRequestsAreAnsweredWithJsonAndNeedNoSession() throws Exception {
        try (RawHttp h = http()) {
            RawHttp.Response r = h.postJson("/mcp", String.format(MODERN_ECHO, 1, "hi"), MODERN_ECHO_HEADERS).read();
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.header("mcp-session-id")).isNull();
            assertThat(at(JsonTree.parse(r.body), "result.resultType")).isEqualTo("complete");
        }
    }

    @Test
    void anMcpNameOutsideTheSafeSetIsBase64Encoded() throws Exception {
        try (RawHttp h = http()) {
            // "echo" as =?base64?ZWNobw==?=
            RawHttp.Response r = h.postJson("/mcp", String.format(MODERN_ECHO, 1, "b64"), "MCP-Protocol-Version: 2026-07-28",
                    "Mcp-Method: tools/call", "Mcp-Name: =?base64?ZWNobw==?=").read();
            assertThat(r.status).isEqualTo(200);
            assertThat(at(JsonTree.parse(r.body), "result.content.0.text")).isEqualTo("b64");
        }
    }

    static Stream<Arguments> paramHeaders() {
        return Stream.of(
                Arguments.of("{\"region\":\"us-west1\"}", new String[] {"Mcp-Param-Region: us-west1"}, 200),
                Arguments.of("{\"region\":\"Hello\"}", new String[] {"Mcp-Param-Region: =?base64?SGVsbG8=?="}, 200),
                Arguments.of("{\"region\":\"SGVsbG8=\"}", new String[] {"Mcp-Param-Region: SGVsbG8="}, 200),
                Arguments.of("{\"region\":\"eu\",\"shard\":42}", new String[] {"Mcp-Param-Region: eu", "Mcp-Param-Shard: 42.0"}, 200),
                Arguments.of("{}", new String[] {}, 200),
                Arguments.of("{\"region\":\"us-west1\"}", new String[] {}, 400),
                Arguments.of("{\"region\":\"us-west1\"}", new String[] {"Mcp-Param-Region: us-east1"}, 400),
                Arguments.of("{\"region\":\"Hello\"}", new String[] {"Mcp-Param-Region: =?base64?SGVsbG8?="}, 400),
                Arguments.of("{\"region\":\"Hello\"}", new String[] {"Mcp-Param-Region: =?base64?SGVs!!!bG8=?="}, 400),
                Arguments.of("{}", new String[] {"Mcp-Param-Region: stray"}, 400),
                Arguments.of("{\"region\":\"eu\",\"shard\":42}", new String[] {"Mcp-Param-Region: eu", "Mcp-Param-Shard: 43"}, 400));
    }

    @ParameterizedTest
    @MethodSource("paramHeaders")
    void mirroredParametersMustMatchTheirHeaders(String arguments, String[] paramHeaders, int status) throws Exception {
        String[] headers = new String[3 + paramHeaders.length];
        headers[0] = "MCP-Protocol-Version: 2026-07-28";
        headers[1] = "Mcp-Method: tools/call";
        headers[2] = "Mcp-Name: regional";
        System.arraycopy(paramHeaders, 0, headers, 3, paramHeaders.length);
        try (RawHttp h = http()) {
            RawHttp.Response r = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"regional\",\"arguments\":" + arguments + "," + MODERN_META + "}}", headers).read();
            assertThat(r.status).as(r.toString()).isEqualTo(status);
            if (status == 400) {
                assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo(-32020L);
                assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(1L);
                assertThat((String) at(JsonTree.parse(r.body), "error.message")).startsWith("Header mismatch: Mcp-Param-");
            }
        }
    }

    @Test
    void misplacedHeaderAnnotationsAreRefusedWhenTheToolIsAdded() {
        for (String schema : List.of(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"x-mcp-header\":\"N\"}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"X\"},"
                        + "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"x\"}}}",
                "{\"type\":\"object\",\"properties\":{\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"x-mcp-header\":\"L\"}}}}",
                "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"x-mcp-header\":\"bad name\"}}}")) {
            Tool t = Tool.builder("annotated").inputSchema(schema).handler((args, ctx) -> ToolResult.text("x")).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.tools().add(t))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-mcp-header");
        }
    }

    @Test
    void closingTheConnectionCancelsAModernCall() throws Exception {
        try (RawHttp h = http()) {
            h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"block\","
                    + "\"arguments\":{}," + MODERN_META + "}}", "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call",
                    "Mcp-Name: block");
            assertThat(blockStarted.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the tool is interrupted when its client goes").isTrue();
        assertStillServes();
    }

    @Test
    void progressTurnsTheAnswerIntoAnEventStream() throws Exception {
        try (RawHttp h = http()) {
            h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":90,\"steps\":3},\"_meta\":{\"progressToken\":\"p\","
                    + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
                    "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: slow");
            RawHttp.Response r = h.read();
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("text/event-stream");
            assertThat(r.header("x-accel-buffering")).isEqualTo("no");
            List<Map<String, Object>> events = events(r.body);
            assertThat(events).hasSize(4);
            assertThat(events.subList(0, 3)).allSatisfy(e -> assertThat(e.get("method")).isEqualTo("notifications/progress"));
            assertThat(at(events.get(3), "result.content.0.text")).isEqualTo("slept 90");
            assertThat(r.body).doesNotContain("id: ").as("2026-07-28 streams are not resumable");
        }
    }

    private static List<Map<String, Object>> events(String sse) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String event : sse.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ") && line.length() > 6) {
                    out.add((Map<String, Object>) JsonTree.parse(line.substring(6)));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ 2025 sessions

    @Test
    void aSessionStartsWithInitializeAndEndsWithDelete() throws Exception {
        try (RawHttp h = http()) {
            String id = startSession(h);
            assertThat(id).hasSize(43).matches("[\\x21-\\x7E]+");
            RawHttp.Response list = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                    "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 2025-11-25").read();
            assertThat(list.status).isEqualTo(200);
            assertThat((List<Object>) at(JsonTree.parse(list.body), "result.tools")).hasSize(5);
            assertThat(h.request("DELETE", "/mcp", "Mcp-Session-Id: " + id).read().status).isEqualTo(200);
            RawHttp.Response after = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
                    "Mcp-Session-Id: " + id).read();
            assertThat(after.status).isEqualTo(404);
            assertThat(at(JsonTree.parse(after.body), "id")).isEqualTo(2L);
        }
    }

    @Test
    void anUnsupportedVersionHeaderInASessionIsRefused() throws Exception {
        try (RawHttp h = http()) {
            String id = startSession(h);
            RawHttp.Response r = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                    "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 1999-01-01").read();
            assertThat(r.status).isEqualTo(400);
            assertThat(r.body).contains("1999-01-01");
        }
    }

    @Test
    void aSessionHasOneStandaloneStream() throws Exception {
        try (RawHttp h = http(); RawHttp get = http(); RawHttp second = http()) {
            String id = startSession(h);
            get.request("GET", "/mcp", "Accept: text/event-stream", "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 2025-11-25");
            RawHttp.Response head = get.readHead();
            assertThat(head.status).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("text/event-stream");
            RawHttp.Response conflict = second.request("GET", "/mcp", "Accept: text/event-stream", "Mcp-Session-Id: " + id).read();
            assertThat(conflict.status).isEqualTo(409);
            assertThat(h.request("DELETE", "/mcp", "Mcp-Session-Id: " + id).read().status).isEqualTo(200);
            assertThat(get.nextChunk()).as("ending the session ends its stream").isNull();
        }
    }

    @Test
    void aBrokenStreamResumesFromLastEventId() throws Exception {
        String session;
        String lastId;
        try (RawHttp h = http()) {
            session = startSession(h);
        }
        try (RawHttp h = http()) {
            h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":600,\"steps\":3},\"_meta\":{\"progressToken\":7}}}",
                    "Mcp-Session-Id: " + session, "MCP-Protocol-Version: 2025-11-25");
            RawHttp.Response head = h.readHead();
            assertThat(head.header("content-type")).isEqualTo("text/event-stream");
            String priming = h.nextChunk();
            assertThat(priming).as("a priming event: an id and empty data").matches("id: \\d+_0\ndata: \n\n");
            String first = h.nextChunk();
            assertThat(first).contains("notifications/progress");
            lastId = first.substring(4, first.indexOf('\n'));
        } // the connection breaks: in the 2025 revisions that is not a cancellation
        try (RawHttp h = http()) {
            h.request("GET", "/mcp", "Accept: text/event-stream", "Mcp-Session-Id: " + session, "Last-Event-ID: " + lastId);
            RawHttp.Response r = h.read();
            assertThat(r.status).isEqualTo(200);
            List<Map<String, Object>> events = events(r.body);
            assertThat(events).hasSize(3);
            assertThat(events.get(0).get("method")).isEqualTo("notifications/progress");
            assertThat(((Number) at(events.get(0), "params.progress")).intValue()).isEqualTo(2);
            assertThat(at(events.get(2), "result.content.0.text")).isEqualTo("slept 600");
        }
        try (RawHttp h = http()) {
            RawHttp.Response unknown = h.request("GET", "/mcp", "Accept: text/event-stream", "Mcp-Session-Id: " + session,
                    "Last-Event-ID: 999_1").read();
            assertThat(unknown.status).isEqualTo(404);
        }
    }

    // ------------------------------------------------------------------ connections

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp h = http()) {
            // One write: the echoes are read, and answered, while the call ahead of them waits at its gate.
            h.write(jsonPost("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\","
                            + "\"arguments\":{\"gate\":\"pipelined\"}," + MODERN_META + "}}",
                    "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: gate")
                    + jsonPost(String.format(MODERN_ECHO, 2, "second"), MODERN_ECHO_HEADERS)
                    + jsonPost(String.format(MODERN_ECHO, 3, "third"), MODERN_ECHO_HEADERS));
            gates.awaitEntered("pipelined");
            gates.open("pipelined");
            assertThat(at(JsonTree.parse(h.read().body), "id")).isEqualTo(1L);
            assertThat(at(JsonTree.parse(h.read().body), "id")).isEqualTo(2L);
            assertThat(at(JsonTree.parse(h.read().body), "id")).isEqualTo(3L);
        }
    }

    private static String jsonPost(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = JSON;
        all[1] = ACCEPT;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return RawHttp.postText("/mcp", body, all);
    }

    @Test
    void aBodyOverTheLimitGets413() throws Exception {
        try (RawHttp h = http()) {
            RawHttp.Response r = h.postJson("/mcp", String.format(MODERN_ECHO, 1, "z".repeat(100_000)), MODERN_ECHO_HEADERS).read();
            assertThat(r.status).isEqualTo(413);
            assertThat(at(JsonTree.parse(r.body), "error.message").toString()).contains("65536");
        }
        assertStillServes();
    }

    /** A server of its own with a short read timeout: the value is not asserted, only that the cut comes. */
    @Test
    void aBodyThatNeverEndsIsCutOffAfterTheReadTimeout() throws Exception {
        Peregrine impatient = Peregrine.builder().tool(EchoTool.create()).noTcp().http("127.0.0.1", 0)
                .requestReadTimeout(Duration.ofMillis(200)).build();
        try (RawHttp h = new RawHttp(impatient.start().http())) {
            h.write("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"jso\r\n");
            RawHttp.Response r = h.read();
            assertThat(r.status).isEqualTo(408);
            assertThat(r.body).contains("http.request-read-timeout");
            assertThat(h.closedByServer()).isTrue();
        } finally {
            impatient.close();
        }
        assertStillServes();
    }

    /**
     * The server runs in a process of its own here: 10,000 sockets on each side would not fit in
     * one process's file descriptor limit.
     */
    @Test
    void tenThousandConnectionsOpenedAndDroppedAtOnceLeaveTheServerServing() throws Exception {
        Path log = Files.createTempFile("peregrine-child", ".log");
        // Port 0: the child's listener takes a port from the OS and names it in its log.
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.peregrine.launcher.Main",
                "--set", "tcp.enabled=false", "--set", "http.port=0", "--set", "demo.fs.root=.")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            InetSocketAddress child_ = new InetSocketAddress("127.0.0.1", boundHttpPort(child, log));
            awaitReady(child_);
            List<Socket> sockets = new ArrayList<>(10_000);
            try {
                for (int i = 0; i < 10_000; i++) {
                    Socket s = new Socket();
                    s.connect(child_, 5_000);
                    sockets.add(s);
                }
            } finally {
                for (Socket s : sockets) {
                    s.setSoLinger(true, 0); // a reset, not a polite close
                    s.close();
                }
            }
            assertThat(sockets).hasSize(10_000);
            try (RawHttp h = new RawHttp(child_)) {
                RawHttp.Response r = h.postJson("/mcp", String.format(MODERN_ECHO, 9, "still here"), MODERN_ECHO_HEADERS).read();
                assertThat(at(JsonTree.parse(r.body), "result.content.0.text")).isEqualTo("still here");
            }
            assertThat(child.isAlive()).isTrue();
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    /** The port of the child's HTTP listener, from the addresses it logs once it has started ({@code http=/127.0.0.1:PORT}). */
    private static int boundHttpPort(Process child, Path log) throws Exception {
        Pattern bound = Pattern.compile("http=\\S*?:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
            Matcher m = bound.matcher(text);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!child.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the server in the child process did not report its HTTP address:\n" + text);
    }

    private static void awaitReady(InetSocketAddress a) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (RawHttp h = new RawHttp(a)) {
                if (h.request("GET", "/ready").read().status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the server in the child process did not become ready");
    }
}

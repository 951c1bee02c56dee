package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.TestTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport test kit: one suite of MCP behaviour (lifecycle, both eras, tools, bad input,
 * cancellation, timeouts, overload, back-pressure, drain) that every transport runs by saying how
 * to open a session. What a transport adds of its own (HTTP status codes, close codes) is tested
 * beside it.
 */
@SuppressWarnings("unchecked")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class McpBehaviourKit {

    private static final String CALL_ECHO = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/call\","
            + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"%s\"}}}";
    private static final String MODERN_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}";

    /** A session with the standard server (the tools of {@link #standardServer()}). */
    protected abstract McpSession session() throws Exception;

    /** A session with a server of its own, built from {@code spec}; closing the session closes that server. */
    protected abstract McpSession session(Peregrine.Builder spec) throws Exception;

    /**
     * Whether the transport carries arbitrary bytes as a message. WebSocket text frames must be
     * valid UTF-8 and a message over the limit closes the socket, so those cases are the
     * transport's own tests there.
     */
    protected boolean carriesRawBytes() {
        return true;
    }

    /** The standard server's configuration, without a transport. */
    protected static Peregrine.Builder standardServer() {
        return Peregrine.builder()
                .tool(EchoTool.create())
                .tool(TestTools.slow())
                .tool(TestTools.hang())
                .tool(TestTools.boom())
                .tool(TestTools.refuse())
                .tool(TestTools.everything())
                .tool(TestTools.badOutput())
                .tool(TestTools.raw())
                .maxLineLength(4 * 1024 * 1024)
                .maxStringLength(1024 * 1024)
                .maxNestingDepth(16)
                .pageSize(3);
    }

    private McpSession ready() throws Exception {
        McpSession s = session();
        s.initialize("2025-11-25");
        return s;
    }

    private static void assertError(Map<String, Object> response, Object id, int code, String messagePart) {
        assertThat(response).containsKey("error").doesNotContainKey("result");
        assertThat(response.get("id")).isEqualTo(id);
        assertThat(at(response, "error.code")).isEqualTo((long) code);
        assertThat((String) at(response, "error.message")).contains(messagePart);
    }

    private static void assertStillServes(McpSession s) throws Exception {
        Map<String, Object> pong = s.call("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
        assertThat(pong.get("id")).isEqualTo("after");
        assertThat(pong).containsKey("result");
    }

    // ------------------------------------------------------------------ lifecycle

    @ParameterizedTest
    @MethodSource("negotiations")
    void initializeNegotiatesTheVersion(String requested, String expected) throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> result = s.initialize(requested);
            assertThat(result.get("protocolVersion")).isEqualTo(expected);
            assertThat(at(result, "serverInfo.name")).isEqualTo("peregrine");
            assertThat(at(result, "capabilities.tools.listChanged")).isEqualTo(true);
        }
    }

    static Stream<Arguments> negotiations() {
        return Stream.of(
                Arguments.of("2025-03-26", "2025-03-26"),
                Arguments.of("2025-06-18", "2025-06-18"),
                Arguments.of("2025-11-25", "2025-11-25"),
                Arguments.of("2026-07-28", "2025-11-25"),
                Arguments.of("1999-01-01", "2025-11-25"));
    }

    @Test
    void requestsBeforeInitializeAreRefusedButPingIsAnswered() throws Exception {
        try (McpSession s = session()) {
            assertError(s.call(String.format(CALL_ECHO, 1, "hi")), 1L, JsonRpcError.INVALID_REQUEST, "Not initialized");
            assertStillServes(s);
        }
    }

    @Test
    void secondInitializeIsRefused() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}");
            assertError(r, 7L, JsonRpcError.INVALID_REQUEST, "Already initialized");
            assertStillServes(s);
        }
    }

    @Test
    void initializeWithoutRequiredParamsIsInvalidParams() throws Exception {
        try (McpSession s = session()) {
            assertError(s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}"),
                    1L, JsonRpcError.INVALID_PARAMS, "protocolVersion");
        }
    }

    // ------------------------------------------------------------------ bad input

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void badInputGetsAPreciseErrorAndTheConnectionLivesOn(String name, byte[] line, Object id, int code, String part)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(carriesRawBytes()
                || !(name.equals("invalid UTF-8") || name.equals("10 MB line")), "not expressible on this transport");
        try (McpSession s = ready()) {
            s.sendBytes(line);
            assertError(s.readJson(), id, code, part);
            assertStillServes(s);
        }
    }

    static Stream<Arguments> badLines() {
        return Stream.of(
                bad("invalid JSON", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", null, JsonRpcError.PARSE_ERROR, "Parse error"),
                bad("garbage", "hello there", null, JsonRpcError.PARSE_ERROR, "Parse error"),
                bad("trailing data", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {}", null,
                        JsonRpcError.PARSE_ERROR, "after the end"),
                Arguments.of("invalid UTF-8", concat("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p",
                        new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}\n"), null, JsonRpcError.PARSE_ERROR, "UTF-8"),
                bad("number at top level", "42", null, JsonRpcError.INVALID_REQUEST, "got an integer"),
                bad("string at top level", "\"ping\"", null, JsonRpcError.INVALID_REQUEST, "got a string"),
                bad("wrong jsonrpc", "{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}", 3L,
                        JsonRpcError.INVALID_REQUEST, "\"2.0\""),
                bad("missing jsonrpc", "{\"id\":3,\"method\":\"ping\"}", 3L, JsonRpcError.INVALID_REQUEST, "missing \"jsonrpc\""),
                bad("missing method", "{\"jsonrpc\":\"2.0\",\"id\":4}", 4L, JsonRpcError.INVALID_REQUEST, "missing \"method\""),
                bad("method not a string", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":17}", 5L,
                        JsonRpcError.INVALID_REQUEST, "method must be a string"),
                bad("null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", null,
                        JsonRpcError.INVALID_REQUEST, "null id"),
                bad("fractional id", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", null,
                        JsonRpcError.INVALID_REQUEST, "string or an integer"),
                bad("unknown method", "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/frobnicate\"}", 6L,
                        JsonRpcError.METHOD_NOT_FOUND, "tools/frobnicate"),
                bad("params a number", "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":5}", 8L,
                        JsonRpcError.INVALID_REQUEST, "params must be an object"),
                bad("params an array", "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\",\"params\":[1]}", 9L,
                        JsonRpcError.INVALID_PARAMS, "got an array"),
                bad("unknown tool", "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
                        10L, JsonRpcError.INVALID_PARAMS, "Unknown tool: nope"),
                bad("tool name missing", "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{}}",
                        11L, JsonRpcError.INVALID_PARAMS, "missing required string \"name\""),
                bad("arguments not an object", "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"echo\",\"arguments\":[]}}", 12L, JsonRpcError.INVALID_PARAMS,
                        "\"arguments\" must be an object"),
                bad("unsolicited response", "{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}", null,
                        JsonRpcError.INVALID_REQUEST, "does not match any request"),
                bad("invalid cursor", "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/list\",\"params\":{\"cursor\":\"zzz\"}}",
                        13L, JsonRpcError.INVALID_PARAMS, "Invalid cursor"),
                bad("nesting too deep", "{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"ping\",\"params\":{\"a\":"
                        + "[".repeat(40) + "]".repeat(40) + "}}", null, JsonRpcError.PARSE_ERROR, "nesting depth"),
                bad("10 MB line", "{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"tools/call\",\"params\":"
                        + "{\"name\":\"echo\",\"arguments\":{\"message\":\"" + "y".repeat(10 * 1024 * 1024) + "\"}}}",
                        null, JsonRpcError.INVALID_REQUEST, "Message too long"),
                bad("_meta not an object", "{\"jsonrpc\":\"2.0\",\"id\":17,\"method\":\"tools/list\",\"params\":{\"_meta\":3}}",
                        17L, JsonRpcError.INVALID_PARAMS, "_meta must be an object"),
                bad("bad progress token", "{\"id\":18,\"params\":{\"_meta\":{\"progressToken\":{\"a\":[1]},\"x\":1},\"name\":\"echo\"},"
                        + "\"jsonrpc\":\"2.0\",\"method\":\"tools/call\"}", 18L, JsonRpcError.INVALID_PARAMS, "progressToken"),
                bad("empty batch", "[]", null, JsonRpcError.INVALID_REQUEST, "Empty batch"));
    }

    private static Arguments bad(String name, String line, Object id, int code, String part) {
        return Arguments.of(name, (line + "\n").getBytes(StandardCharsets.UTF_8), id, code, part);
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] z = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(b, 0, out, x.length, b.length);
        System.arraycopy(z, 0, out, x.length + b.length, z.length);
        return out;
    }

    @Test
    void aStringOverTheLimitIsRefusedWhenRead() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"echo\",\"arguments\":{\"message\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}}");
            // Strings are decoded only when read, so the limit bounds what a tool reads.
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("String value length").contains("exceeds");
            assertStillServes(s);
        }
    }

    @Test
    void notificationsAreNeverAnsweredEvenWhenWrong() throws Exception {
        try (McpSession s = ready()) {
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown\"}");
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":12345}}");
            assertThat(s.silentFor(200)).isTrue();
            assertStillServes(s);
        }
    }

    @Test
    void idsRoundTripExactly() throws Exception {
        try (McpSession s = ready()) {
            for (String id : List.of("0", "-7", "9007199254740993", "123456789012345678901234567890", "\"abc\"", "\"\"")) {
                s.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
                String line = s.readLine();
                assertThat(line).contains("\"id\":" + id + ",");
            }
        }
    }

    // ------------------------------------------------------------------ tools

    @Test
    void echoReturnsTheMessage() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(String.format(CALL_ECHO, 21, "héllo \\\"world\\\""));
            assertThat(r.get("id")).isEqualTo(21L);
            assertThat(at(r, "result.content.0.type")).isEqualTo("text");
            assertThat(at(r, "result.content.0.text")).isEqualTo("héllo \"world\"");
            assertThat((Map<String, Object>) r.get("result")).doesNotContainKeys("isError", "resultType");
        }
    }

    @Test
    void toolsListPagesInNameOrder() throws Exception {
        try (McpSession s = ready()) {
            List<Object> names = new java.util.ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                String params = cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}";
                Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":" + params + "}");
                for (Object tool : (List<?>) at(r, "result.tools")) {
                    names.add(((Map<?, ?>) tool).get("name"));
                }
                cursor = (String) at(r, "result.nextCursor");
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(names).containsExactly("bad_output", "boom", "echo", "everything", "hang", "raw", "refuse", "slow");
        }
    }

    @Test
    void toolDefinitionsCarryEveryField() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":"
                    + "{\"cursor\":\"" + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("after:echo".getBytes(StandardCharsets.UTF_8)) + "\"}}");
            Map<?, ?> everything = (Map<?, ?>) at(r, "result.tools.0");
            assertThat(everything.get("name")).isEqualTo("everything");
            assertThat(everything.get("title")).isEqualTo("Everything");
            assertThat(at(everything, "annotations.readOnlyHint")).isEqualTo(true);
            assertThat(at(everything, "icons.0.sizes.0")).isEqualTo("48x48");
            assertThat(at(everything, "outputSchema.required.0")).isEqualTo("count");
            assertThat(at(everything, "inputSchema.type")).isEqualTo("object");
            assertThat(at(everything, "_meta.com.example/owner")).isNull(); // a dotted key, read directly below
            assertThat(((Map<?, ?>) everything.get("_meta")).get("com.example/owner")).isEqualTo("tests");
        }
    }

    @Test
    void everyContentTypeAndStructuredContent() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"everything\"}}");
            assertThat(at(r, "result.content.0.text")).isEqualTo("five items");
            assertThat(at(r, "result.content.1.type")).isEqualTo("image");
            assertThat(at(r, "result.content.1.data")).isEqualTo("AQID");
            assertThat(at(r, "result.content.2.type")).isEqualTo("audio");
            assertThat(at(r, "result.content.3.type")).isEqualTo("resource_link");
            assertThat(at(r, "result.content.3.uri")).isEqualTo("file:///a.txt");
            assertThat(at(r, "result.content.4.resource.text")).isEqualTo("bee");
            assertThat(at(r, "result.content.4.annotations.priority")).isEqualTo(0.5);
            assertThat(at(r, "result.structuredContent.count")).isEqualTo(5L);
        }
    }

    @Test
    void structuredContentBreakingTheOutputSchemaIsAnInternalError() throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"bad_output\"}}"),
                    2L, JsonRpcError.INTERNAL_ERROR, "outputSchema");
        }
    }

    @Test
    void invalidArgumentsFollowTheRevision() throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":42}}}";
        try (McpSession s = session()) {
            s.initialize("2025-06-18");
            assertError(s.call(call), 3L, JsonRpcError.INVALID_PARAMS, "Invalid arguments for tool echo");
        }
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(call);
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).startsWith("Invalid arguments for tool echo").contains("message");
        }
    }

    @Test
    void validationCanBeSkippedByATool() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"raw\","
                    + "\"arguments\":{\"n\":\"not a number\"}}}");
            assertThat(at(r, "result.content.0.text")).isEqualTo("{\"n\":\"not a number\"}");
        }
    }

    @Test
    void failingToolsAnswerWithErrorResults() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> boom = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"boom\"}}");
            assertThat(at(boom, "result.isError")).isEqualTo(true);
            assertThat((String) at(boom, "result.content.0.text")).contains("the disk is on fire");
            Map<String, Object> refuse = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"refuse\"}}");
            assertThat(at(refuse, "result.content.0.text")).isEqualTo("Invalid departure date: must be in the future");
        }
    }

    @Test
    void aToolOverItsTimeoutIsCancelledAndAnswered() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"hang\"}}");
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("timed out after 300 ms");
            assertStillServes(s);
        }
    }

    @Test
    void cancelledCallsAreNotAnsweredAndTheConnectionGoesOn() throws Exception {
        try (McpSession s = ready()) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":10000,\"steps\":100},\"_meta\":{\"progressToken\":\"p1\"}}}");
            Map<String, Object> progress = s.readJson();
            assertThat(progress.get("method")).isEqualTo("notifications/progress");
            assertThat(at(progress, "params.progressToken")).isEqualTo("p1");
            assertThat(at(progress, "params.total")).isEqualTo(100.0);
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"long\",\"reason\":\"user\"}}");
            Map<String, Object> next;
            do {
                next = s.call(String.format(CALL_ECHO, "\"after-cancel\"", "still here"));
            } while ("notifications/progress".equals(next.get("method")));
            assertThat(next.get("id")).isEqualTo("after-cancel");
            assertThat(s.silentFor(300)).isTrue();
            assertThat(s.server().core().callsInFlight()).isZero();
        }
    }

    @Test
    void duplicateInFlightIdsAreRefused() throws Exception {
        try (McpSession s = ready()) {
            String call = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{\"millis\":400,\"steps\":1}}}";
            s.send(call);
            assertError(s.call(call), 5L, JsonRpcError.INVALID_REQUEST, "Duplicate request id 5");
            assertThat(at(s.readJson(), "result.content.0.text")).isEqualTo("slept 400");
        }
    }

    // ------------------------------------------------------------------ 2026-07-28

    @Test
    void modernRequestsNeedNoHandshake() throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                    + "\"name\":\"echo\",\"arguments\":{\"message\":\"now\"}," + MODERN_META + "}}");
            assertThat(at(r, "result.resultType")).isEqualTo("complete");
            assertThat(at(r, "result.content.0.text")).isEqualTo("now");
            assertThat(((Map<?, ?>) at(r, "result._meta")).get("io.modelcontextprotocol/serverInfo")).isNotNull();

            Map<String, Object> list = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{" + MODERN_META + "}}");
            assertThat(at(list, "result.resultType")).isEqualTo("complete");
            assertThat(at(list, "result.ttlMs")).isEqualTo(0L);
            assertThat(at(list, "result.cacheScope")).isEqualTo("public");
        }
    }

    @Test
    void discoverListsEveryRevision() throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"server/discover\",\"params\":{" + MODERN_META + "}}");
            assertThat((List<Object>) at(r, "result.supportedVersions"))
                    .containsExactly("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26");
            assertThat(at(r, "result.capabilities.tools.listChanged")).isEqualTo(true);
            assertThat(at(r, "result.resultType")).isEqualTo("complete");
        }
    }

    @Test
    void unsupportedVersionsAreNamed() throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                    + "{\"io.modelcontextprotocol/protocolVersion\":\"1900-01-01\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
            assertError(r, 1L, JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION, "1900-01-01");
            assertThat(at(r, "error.data.requested")).isEqualTo("1900-01-01");
            assertThat((List<Object>) at(r, "error.data.supported")).contains("2026-07-28", "2025-11-25");

            Map<String, Object> legacy = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                    + "{\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\"}}}");
            assertError(legacy, 2L, JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION, "only after initialize");
        }
    }

    @Test
    void modernInvalidArgumentsAreErrorResults() throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                    + "\"name\":\"echo\",\"arguments\":{}," + MODERN_META + "}}");
            assertThat(at(r, "result.resultType")).isEqualTo("complete");
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("message");
        }
    }

    // ------------------------------------------------------------------ batches (2025-03-26 only)

    @Test
    void batchesWorkOnlyIn20250326() throws Exception {
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"b\"}}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}, 7]";
        try (McpSession s = session()) {
            s.initialize("2025-03-26");
            s.send(batch);
            List<?> responses = (List<?>) io.peregrine.rpc.JsonTree.parse(s.readLine());
            assertThat(responses).hasSize(4);
            assertThat(responses).anySatisfy(r -> assertThat(at(r, "result.content.0.text")).isEqualTo("b"));
            assertThat(responses).anySatisfy(r -> assertThat(at(r, "error.code")).isEqualTo(-32601L));
            assertThat(responses).anySatisfy(r -> assertThat(at(r, "error.code")).isEqualTo(-32600L));
        }
        try (McpSession s = ready()) {
            s.send(batch);
            assertError(s.readJson(), null, JsonRpcError.INVALID_REQUEST, "2025-11-25");
        }
    }

    @Test
    void aBatchWithACancelledCallStillAnswersTheRest() throws Exception {
        try (McpSession s = session()) {
            s.initialize("2025-03-26");
            s.send("[{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":10000,\"steps\":1}}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]");
            assertThat(s.silentFor(100)).isTrue();
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"slow\"}}");
            List<?> responses = (List<?>) io.peregrine.rpc.JsonTree.parse(s.readLine());
            assertThat(responses).hasSize(1);
            assertThat(at(responses.get(0), "id")).isEqualTo(2L);
        }
    }

    // ------------------------------------------------------------------ overload

    @Test
    void aFullExecutorAnswersOverloadAtOnce() throws Exception {
        try (McpSession s = session(Peregrine.builder().tool(TestTools.slow()).maxConcurrency(1)
                .virtualThreads(false).drainTimeout(Duration.ofMillis(100)))) {
            {
                s.initialize("2025-11-25");
                s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{\"millis\":2000,\"steps\":1}}}");
                Map<String, Object> second = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\"}}");
                assertError(second, 2L, JsonRpcError.SERVER_OVERLOADED, "exec.max-concurrency");
                assertThat(at(second, "error.data.retryAfterMs")).isEqualTo(100L);
            }
        }
    }

    @Test
    void aConnectionAtItsInFlightLimitIsNotRead() throws Exception {
        try (McpSession s = session(Peregrine.builder().tool(TestTools.slow())
                .maxInFlightPerConnection(2).drainTimeout(Duration.ofMillis(100)))) {
            {
                s.initialize("2025-11-25");
                for (int i = 1; i <= 6; i++) {
                    s.send("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                            + "\"arguments\":{\"millis\":300,\"steps\":1}}}");
                    Thread.sleep(20);
                    assertThat(s.server().core().callsInFlight()).isLessThanOrEqualTo(2);
                }
                java.util.Set<Object> answered = new java.util.HashSet<>();
                for (int i = 0; i < 6; i++) {
                    Map<String, Object> r = s.readJson();
                    assertThat(at(r, "result.content.0.text")).isEqualTo("slept 300");
                    answered.add(r.get("id"));
                }
                assertThat(answered).hasSize(6);
            }
        }
    }

    @Test
    void closeAnswersCallsThatOutliveTheDrain() throws Exception {
        try (McpSession s = session(Peregrine.builder().tool(TestTools.slow()).drainTimeout(Duration.ofMillis(200)))) {
            Peregrine small = s.server();
            s.initialize("2025-11-25");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{\"millis\":10000,\"steps\":1}}}");
            assertThat(s.silentFor(100)).isTrue();
            Thread closer = new Thread(small::close);
            closer.start();
            assertError(s.readJson(), 1L, JsonRpcError.SHUTTING_DOWN, "shut down");
            closer.join(10_000);
        }
    }
}

package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.testing.ManualClock;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.TestContent;
import io.peregrine.testing.TestTools;
import io.peregrine.transport.Peer;
import io.peregrine.transport.PeerReading;
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
import java.util.Optional;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport test kit: one suite of MCP behaviour (lifecycle, both eras, tools, bad input,
 * cancellation, timeouts, overload, back-pressure, drain) that every transport runs by saying how
 * to open a session. What a transport adds of its own (HTTP status codes, close codes) is tested
 * beside it.
 *
 * <p>No test waits a fixed time. Calls stay in flight as long as a test needs ({@link GateTool}),
 * expiry is a step of a {@link ManualClock}, a state is waited for with {@link Await}, and "nothing
 * else came" is shown by order: a ping sent afterwards is answered next ({@link #assertNothingElseSent}).
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
                .tool(TestTools.later())
                .tool(TestContent.chatty())
                .resource(TestContent.resources().get(0))
                .resource(TestContent.resources().get(1))
                .resource(TestContent.resources().get(2))
                .resource(TestContent.resources().get(3))
                .resourceTemplate(TestContent.items())
                .prompt(TestContent.greet())
                .prompt(TestContent.everyContent())
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

    /**
     * Shows by order, not by waiting, that the server sent nothing since the last message read:
     * a ping sent now is answered by the very next message. Where one connection carries every
     * message in order (TCP, WebSocket, stdio) that is proof; over Streamable HTTP, where a
     * notification may travel on another stream, it is the best evidence there is.
     */
    private static void assertNothingElseSent(McpSession s, String what) throws Exception {
        Map<String, Object> next = s.call("{\"jsonrpc\":\"2.0\",\"id\":\"barrier\",\"method\":\"ping\"}");
        assertThat(next).as("the first message after %s, expected the answer to a ping", what)
                .containsEntry("id", "barrier").containsKey("result");
    }

    private static void awaitCallsInFlight(McpSession s, int calls) {
        Await.until(() -> s.server().core().callsInFlight() == calls, calls + " tool calls in flight");
    }

    /**
     * Whether the transport reads from {@code peer}: the state back-pressure switches. Socket
     * transports keep it in their channel; a transport that keeps it elsewhere says nothing (empty)
     * and is held to the order of answers alone.
     */
    protected Optional<Boolean> isReading(Peer peer) {
        return PeerReading.of(peer);
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
            assertNothingElseSent(s, "two notifications");
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
            assertThat(pages).isEqualTo(4);
            assertThat(names).containsExactly("bad_output", "boom", "chatty", "echo", "everything", "hang", "later", "raw",
                    "refuse", "slow");
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
            // Progress sent before the cancellation arrived may still come first; the echo is sent once.
            Map<String, Object> next = s.call(String.format(CALL_ECHO, "\"after-cancel\"", "still here"));
            while ("notifications/progress".equals(next.get("method"))) {
                next = s.readJson();
            }
            assertThat(next.get("id")).isEqualTo("after-cancel");
            awaitCallsInFlight(s, 0);
            assertNothingElseSent(s, "the cancelled call ended");
        }
    }

    /**
     * A tool with an asynchronous handler is answered when its stage completes, from another
     * thread; its deadline and the client's cancellation end the call as for a blocking tool, and
     * cancel the stage; a stage that fails is an error result.
     */
    @Test
    void anAsynchronousToolIsAnsweredLaterTimedAndCancelled() throws Exception {
        String later = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/call\",\"params\":{\"name\":\"later\","
                + "\"arguments\":{\"millis\":%d,\"fail\":%s}}}";
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(String.format(later, 1, 20, false));
            assertThat(at(r, "result.isError")).isNotEqualTo(true);
            String first = (String) at(r, "result.content.0.text");
            assertThat(first).startsWith("later 20; cancelled so far: ");
            long cancelledBefore = Long.parseLong(first.substring(first.lastIndexOf(' ') + 1));

            r = s.call(String.format(later, 2, 60_000, false));
            assertThat(r.get("id")).isEqualTo(2L);
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("timed out after 300 ms");

            s.send(String.format(later, "\"gone\"", 60_000, false));
            awaitCallsInFlight(s, 1);
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"gone\"}}");
            awaitCallsInFlight(s, 0);

            r = s.call(String.format(later, 3, 0, false));
            assertThat(r.get("id")).isEqualTo(3L);
            assertThat(at(r, "result.content.0.text")).isEqualTo("later 0; cancelled so far: " + (cancelledBefore + 2));

            r = s.call(String.format(later, 4, 0, true));
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("the later call failed after 0 ms");
            assertNothingElseSent(s, "the asynchronous calls ended");
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
    void modernToolSeesTheClientItsMetaNames() throws Exception {
        io.peregrine.tool.Tool whoami = io.peregrine.tool.Tool.builder("whoami").blocking(false)
                .handler((args, ctx) -> io.peregrine.tool.ToolResult.text(ctx.protocolVersion() + " "
                        + ctx.clientInfo().get("name") + "/" + ctx.clientInfo().get("version")
                        + " sampling=" + ctx.clientSupports(io.peregrine.tool.ClientFeature.SAMPLING)
                        + " roots=" + ctx.clientSupports(io.peregrine.tool.ClientFeature.ROOTS)))
                .build();
        try (McpSession s = session(Peregrine.builder().tool(whoami))) {
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                    + "\"name\":\"whoami\",\"arguments\":{},\"_meta\":{"
                    + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"probe\",\"version\":\"7\"},"
                    + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{}}}}}");
            assertThat(at(r, "result.content.0.text")).isEqualTo("2026-07-28 probe/7 sampling=true roots=false");

            Map<String, Object> bare = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
                    + "\"name\":\"whoami\",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
            assertThat(at(bare, "result.content.0.text")).isEqualTo("2026-07-28 null/null sampling=false roots=false");
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
            awaitCallsInFlight(s, 1);
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"slow\"}}");
            List<?> responses = (List<?>) io.peregrine.rpc.JsonTree.parse(s.readLine());
            assertThat(responses).hasSize(1);
            assertThat(at(responses.get(0), "id")).isEqualTo(2L);
        }
    }

    // ------------------------------------------------------------------ overload

    @Test
    void aFullExecutorAnswersOverloadAtOnce() throws Exception {
        GateTool gate = new GateTool();
        try (McpSession s = session(Peregrine.builder().tool(gate.tool()).maxConcurrency(1)
                .virtualThreads(false).drainTimeout(Duration.ofMillis(100)))) {
            s.initialize("2025-11-25");
            s.send(GateTool.call(1));
            Await.until(() -> gate.entered() == 1, "the first call holds the executor's only thread");
            Map<String, Object> second = s.call(GateTool.call(2));
            assertError(second, 2L, JsonRpcError.SERVER_OVERLOADED, "exec.max-concurrency");
            assertThat(at(second, "error.data.retryAfterMs")).isEqualTo(100L);
            gate.open(1);
            assertThat(at(s.readJson(), "result.content.0.text")).isEqualTo("opened 1");
        }
    }

    /**
     * At its in-flight limit a connection is not read: the transport stops reading (its state is
     * checked where the transport keeps it), so a request pipelined behind the limit is not
     * started, however simple, until a call ends; then reading resumes. Answers on a connection
     * may come in any order, so what is checked is when each call started and ended.
     */
    @Test
    void aConnectionAtItsInFlightLimitIsNotRead() throws Exception {
        GateTool gate = new GateTool();
        try (McpSession s = session(Peregrine.builder().tool(gate.tool())
                .maxInFlightPerConnection(2).drainTimeout(Duration.ofMillis(100)))) {
            s.initialize("2025-11-25");
            s.send(GateTool.call(1)).send(GateTool.call(2));
            Await.until(() -> gate.entered() == 2, "two calls running, the connection's limit");
            Optional<Boolean> reading = isReading(gate.peer());
            reading.ifPresent(r -> assertThat(r).as("the transport reads the connection at its in-flight limit").isFalse());

            s.send(GateTool.call(3)).send("{\"jsonrpc\":\"2.0\",\"id\":\"behind\",\"method\":\"ping\"}");
            gate.open(1);
            Await.until(() -> gate.entered() == 3, "the third call, read once the first ended");
            // Calls 1 and 2 run on two executor threads and may enter in either order.
            assertThat(gate.events()).as("call 3 starts only after call 1 left")
                    .containsSubsequence("enter 1", "leave 1", "enter 3")
                    .containsSubsequence("enter 2", "leave 1", "enter 3");
            if (reading.isPresent()) {
                assertThat(isReading(gate.peer())).as("at the limit again, with calls 2 and 3").contains(false);
            }

            gate.open(2);
            gate.open(3);
            List<Object> answered = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answered.add(s.readJson().get("id"));
            }
            assertThat(answered).containsExactlyInAnyOrder(1L, 2L, 3L, "behind");
            awaitCallsInFlight(s, 0);
            if (reading.isPresent()) {
                Await.until(() -> isReading(gate.peer()).orElseThrow(), "reading resumed below the limit");
            }
        }
    }

    @Test
    void closeAnswersCallsThatOutliveTheDrain() throws Exception {
        try (McpSession s = session(Peregrine.builder().tool(TestTools.slow()).drainTimeout(Duration.ofMillis(200)))) {
            Peregrine small = s.server();
            s.initialize("2025-11-25");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{\"millis\":10000,\"steps\":1}}}");
            awaitCallsInFlight(s, 1);
            Thread closer = new Thread(small::close);
            closer.start();
            assertError(s.readJson(), 1L, JsonRpcError.SHUTTING_DOWN, "shut down");
            closer.join(10_000);
        }
    }

    // ------------------------------------------------------------------ asking the client (sampling, elicitation, roots)

    private static final String ALL_CAPABILITIES = "{\"elicitation\":{\"form\":{},\"url\":{}},\"sampling\":{},\"roots\":{}}";

    private static Peregrine.Builder askingServer() {
        Peregrine.Builder b = Peregrine.builder().drainTimeout(Duration.ofMillis(100));
        io.peregrine.testing.AskingTools.all().forEach(b::tool);
        return b;
    }

    private static String call(Object id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{}}}";
    }

    private static String answer(Object id, String result) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + io.peregrine.rpc.JsonTree.toJson(id) + ",\"result\":" + result + "}";
    }

    @Test
    void aToolElicitsThroughARequestToTheClient() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call(1, "ask_name"));
            Map<String, Object> ask = s.readJson();
            assertThat(ask.get("method")).isEqualTo("elicitation/create");
            assertThat((String) ask.get("id")).startsWith("peregrine-");
            assertThat(at(ask, "params.mode")).isEqualTo("form");
            assertThat(at(ask, "params.message")).isEqualTo("What is your name?");
            assertThat(at(ask, "params.requestedSchema.required.0")).isEqualTo("name");
            Map<String, Object> r = s.call(answer(ask.get("id"), "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}"));
            assertThat(r.get("id")).isEqualTo(1L);
            assertThat(at(r, "result.content.0.text")).isEqualTo("Hello, Ada!");
            assertThat(s.server().core().pendingClientRequests()).isZero();
        }
    }

    @Test
    void elicitationHasNoModeIn20250618AndDeclineReachesTheTool() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-06-18", "{\"elicitation\":{}}");
            s.send(call(1, "ask_name"));
            Map<String, Object> ask = s.readJson();
            assertThat((Map<String, Object>) ask.get("params")).doesNotContainKey("mode");
            Map<String, Object> r = s.call(answer(ask.get("id"), "{\"action\":\"decline\"}"));
            assertThat(at(r, "result.content.0.text")).isEqualTo("no name: DECLINE");
        }
    }

    @Test
    void urlElicitationIsFollowedByItsCompletionNotification() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", "{\"elicitation\":{\"url\":{}}}");
            s.send(call(1, "ask_url"));
            Map<String, Object> ask = s.readJson();
            assertThat(at(ask, "params.mode")).isEqualTo("url");
            assertThat(at(ask, "params.url")).isEqualTo("https://example.com/connect?e=e-1");
            assertThat(at(ask, "params.elicitationId")).isEqualTo("e-1");
            s.send(answer(ask.get("id"), "{\"action\":\"accept\"}"));
            Map<String, Object> done = s.readJson();
            assertThat(done.get("method")).isEqualTo("notifications/elicitation/complete");
            assertThat(at(done, "params.elicitationId")).isEqualTo("e-1");
            assertThat(at(s.readJson(), "result.content.0.text")).isEqualTo("url: ACCEPT");
        }
    }

    @Test
    void samplingAndRootsGoThroughRequestsToTheClient() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call(1, "sample"));
            Map<String, Object> ask = s.readJson();
            assertThat(ask.get("method")).isEqualTo("sampling/createMessage");
            assertThat(at(ask, "params.maxTokens")).isEqualTo(20L);
            assertThat(at(ask, "params.messages.0.content.text")).isEqualTo("What is the capital of France?");
            Map<String, Object> r = s.call(answer(ask.get("id"), "{\"role\":\"assistant\",\"content\":{\"type\":\"text\","
                    + "\"text\":\"Paris\"},\"model\":\"m1\",\"stopReason\":\"endTurn\"}"));
            assertThat(at(r, "result.content.0.text")).isEqualTo("m1 says Paris");

            s.send(call(2, "roots"));
            ask = s.readJson();
            assertThat(ask.get("method")).isEqualTo("roots/list");
            r = s.call(answer(ask.get("id"), "{\"roots\":[{\"uri\":\"file:///a\",\"name\":\"A\"},{\"uri\":\"file:///b\"}]}"));
            assertThat(at(r, "result.content.0.text")).isEqualTo("file:///a,file:///b");
        }
    }

    @Test
    void severalQuestionsAreAskedAtOnce() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call(1, "ask_all"));
            Map<String, Map<String, Object>> byMethod = new java.util.HashMap<>();
            for (int i = 0; i < 3; i++) {
                Map<String, Object> ask = s.readJson();
                byMethod.put((String) ask.get("method"), ask);
            }
            assertThat(byMethod).containsOnlyKeys("elicitation/create", "sampling/createMessage", "roots/list");
            // Answered in another order than asked: correlation is by id.
            s.send(answer(byMethod.get("roots/list").get("id"), "{\"roots\":[{\"uri\":\"file:///r\"}]}"));
            s.send(answer(byMethod.get("sampling/createMessage").get("id"),
                    "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hi\"},\"model\":\"m\"}"));
            s.send(answer(byMethod.get("elicitation/create").get("id"), "{\"action\":\"accept\",\"content\":{\"name\":\"Bo\"}}"));
            assertThat(at(s.readJson(), "result.content.0.text")).isEqualTo("Hi Bo in file:///r");
        }
    }

    @Test
    void askingWithoutTheCapabilityIsMissingRequiredClientCapability() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", "{\"elicitation\":{\"form\":{}}}");
            Map<String, Object> r = s.call(call(1, "sample"));
            assertError(r, 1L, JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, "sampling");
            assertThat(at(r, "error.data.requiredCapabilities.sampling")).isEqualTo(Map.of());
            r = s.call(call(2, "ask_url"));
            assertError(r, 2L, JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, "elicitation.url");
            assertThat(at(s.call(call(3, "ask_if_able")), "result.content.0.text")).isNull();
            assertThat(s.server().core().pendingClientRequests()).isOne(); // ask_if_able asked: form is declared
        }
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25");
            assertThat(at(s.call(call(1, "ask_if_able")), "result.content.0.text")).isEqualTo("cannot ask");
        }
    }

    @Test
    void aClientErrorAnswerReachesTheToolAsAFailure() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call(1, "ask_name"));
            Map<String, Object> ask = s.readJson();
            Map<String, Object> r = s.call("{\"jsonrpc\":\"2.0\",\"id\":\"" + ask.get("id")
                    + "\",\"error\":{\"code\":-1,\"message\":\"User rejected\"}}");
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("elicitation/create").contains("User rejected");

            s.send(call(2, "ask_name"));
            ask = s.readJson();
            r = s.call(answer(ask.get("id"), "{\"action\":\"maybe\"}"));
            assertThat((String) at(r, "result.content.0.text")).contains("not valid").contains("action");
            assertThat(s.server().core().pendingClientRequests()).isZero();
        }
    }

    @Test
    void aClientThatNeverAnswersTimesOutAndNothingIsLeftPending() throws Exception {
        ManualClock clock = new ManualClock();
        try (McpSession s = session(askingServer().clock(clock).clientRequestTimeout(Duration.ofMillis(300)))) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call(1, "sample"));
            Map<String, Object> ask = s.readJson();
            assertThat(s.server().core().pendingClientRequests()).isOne();
            clock.advance(Duration.ofMillis(299));
            assertThat(s.server().core().pendingClientRequests()).as("1 ms before its timeout").isOne();
            clock.advance(Duration.ofMillis(1));
            Map<String, Object> cancelled = s.readJson();
            assertThat(cancelled.get("method")).isEqualTo("notifications/cancelled");
            assertThat(at(cancelled, "params.requestId")).isEqualTo(ask.get("id"));
            Map<String, Object> r = s.readJson();
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("did not answer sampling/createMessage within 300 ms");
            assertThat(s.server().core().pendingClientRequests()).isZero();
            // The late answer matches nothing any more.
            assertError(s.call(answer(ask.get("id"), "{\"roots\":[]}")), null, JsonRpcError.INVALID_REQUEST,
                    "does not match any request");
        }
    }

    @Test
    void cancellingTheCallWithdrawsItsQuestion() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            s.send(call("\"c\"", "ask_name"));
            Map<String, Object> ask = s.readJson();
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c\"}}");
            Map<String, Object> withdrawn = s.readJson();
            assertThat(withdrawn.get("method")).isEqualTo("notifications/cancelled");
            assertThat(at(withdrawn, "params.requestId")).isEqualTo(ask.get("id"));
            awaitCallsInFlight(s, 0);
            assertThat(s.server().core().pendingClientRequests()).isZero();
            assertNothingElseSent(s, "the cancelled call withdrew its question");
            // A cancel for an id nobody knows is ignored, and the connection goes on.
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"nobody\"}}");
            assertStillServes(s);
        }
    }

    @Test
    void aNonBlockingToolCannotWaitForTheClientIn2025() throws Exception {
        try (McpSession s = session(askingServer())) {
            s.initialize("2025-11-25", ALL_CAPABILITIES);
            Map<String, Object> r = s.call(call(1, "ask_inline"));
            assertThat(at(r, "result.isError")).isEqualTo(true);
            assertThat((String) at(r, "result.content.0.text")).contains("blocking(true)");
            assertThat(s.server().core().pendingClientRequests()).isZero();
        }
    }

    // ------------------------------------------------------------------ 2026-07-28: multi round-trip requests

    private static String modernCall(Object id, String tool, String capabilities, String extra) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{}" + (extra.isEmpty() ? "" : "," + extra)
                + ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + ","
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}";
    }

    private static String retry(Map<String, Object> inputRequired, String responses) {
        Object state = at(inputRequired, "result.requestState");
        return "\"inputResponses\":" + responses + (state == null ? "" : ",\"requestState\":\"" + state + "\"");
    }

    @Test
    void modernElicitationIsAnInputRequiredRoundTrip() throws Exception {
        try (McpSession s = session(askingServer())) {
            Map<String, Object> r1 = s.call(modernCall(1, "ask_name", ALL_CAPABILITIES, ""));
            assertThat(at(r1, "result.resultType")).isEqualTo("input_required");
            assertThat(at(r1, "result.inputRequests.user_name.method")).isEqualTo("elicitation/create");
            assertThat(at(r1, "result.inputRequests.user_name.params.mode")).isEqualTo("form");
            assertThat(at(r1, "result.inputRequests.user_name.params.requestedSchema.type")).isEqualTo("object");
            assertThat((String) at(r1, "result.requestState")).isNotEmpty();
            assertThat(((Map<?, ?>) at(r1, "result._meta")).get("io.modelcontextprotocol/serverInfo")).isNotNull();

            Map<String, Object> r2 = s.call(modernCall(2, "ask_name", ALL_CAPABILITIES,
                    retry(r1, "{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}},\"extra\":{\"x\":1}}")));
            assertThat(at(r2, "result.resultType")).isEqualTo("complete");
            assertThat(at(r2, "result.content.0.text")).isEqualTo("Hello, Alice!");
            assertThat(s.server().core().pendingClientRequests()).isZero();
        }
    }

    @Test
    void modernQuestionsComeTogetherAndRoundsCarryEarlierAnswers() throws Exception {
        try (McpSession s = session(askingServer())) {
            Map<String, Object> r1 = s.call(modernCall(1, "ask_all", ALL_CAPABILITIES, ""));
            assertThat(((Map<String, Object>) at(r1, "result.inputRequests")))
                    .containsOnlyKeys("elicitation-1", "sampling-1", "roots-1");
            Map<String, Object> r2 = s.call(modernCall(2, "ask_all", ALL_CAPABILITIES, retry(r1, "{"
                    + "\"elicitation-1\":{\"action\":\"accept\",\"content\":{\"name\":\"Bo\"}},"
                    + "\"sampling-1\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hey\"},\"model\":\"m\"},"
                    + "\"roots-1\":{\"roots\":[{\"uri\":\"file:///x\"}]}}")));
            assertThat(at(r2, "result.content.0.text")).isEqualTo("Hey Bo in file:///x");

            Map<String, Object> step1 = s.call(modernCall(3, "two_steps", ALL_CAPABILITIES, ""));
            assertThat(((Map<String, Object>) at(step1, "result.inputRequests"))).containsOnlyKeys("step1");
            Map<String, Object> step2 = s.call(modernCall(4, "two_steps", ALL_CAPABILITIES,
                    retry(step1, "{\"step1\":{\"action\":\"accept\",\"content\":{\"name\":\"Cy\"}}}")));
            assertThat(((Map<String, Object>) at(step2, "result.inputRequests"))).containsOnlyKeys("step2");
            assertThat(at(step2, "result.requestState")).isNotEqualTo(at(step1, "result.requestState"));
            Map<String, Object> done = s.call(modernCall(5, "two_steps", ALL_CAPABILITIES,
                    retry(step2, "{\"step2\":{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}}")));
            assertThat(at(done, "result.content.0.text")).isEqualTo("Cy likes blue");
        }
    }

    @Test
    void modernMissingOrUnfitAnswersAreAskedAgain() throws Exception {
        try (McpSession s = session(askingServer())) {
            Map<String, Object> r = s.call(modernCall(1, "ask_name", ALL_CAPABILITIES,
                    "\"inputResponses\":{\"wrong_key\":{\"action\":\"accept\",\"content\":{}}}"));
            assertThat(at(r, "result.resultType")).isEqualTo("input_required");
            assertThat(at(r, "result.inputRequests.user_name.method")).isEqualTo("elicitation/create");
            r = s.call(modernCall(2, "ask_name", ALL_CAPABILITIES, "\"inputResponses\":{\"user_name\":{\"action\":\"perhaps\"}}"));
            assertThat(at(r, "result.resultType")).isEqualTo("input_required");
            // A non-blocking tool may ask in this era: nothing waits.
            r = s.call(modernCall(3, "ask_inline", ALL_CAPABILITIES, ""));
            assertThat(at(r, "result.inputRequests.elicitation-1.method")).isEqualTo("elicitation/create");
        }
    }

    @Test
    void modernBadInputResponsesAndForgedStatesAreInvalidParams() throws Exception {
        try (McpSession s = session(askingServer())) {
            assertError(s.call(modernCall(1, "ask_name", ALL_CAPABILITIES, "\"inputResponses\":{\"user_name\":12345}")),
                    1L, JsonRpcError.INVALID_PARAMS, "must be an object");
            assertError(s.call(modernCall(2, "ask_name", ALL_CAPABILITIES, "\"inputResponses\":null")),
                    2L, JsonRpcError.INVALID_PARAMS, "inputResponses");
            Map<String, Object> r1 = s.call(modernCall(3, "ask_name", ALL_CAPABILITIES, ""));
            String state = (String) at(r1, "result.requestState");
            assertError(s.call(modernCall(4, "ask_name", ALL_CAPABILITIES,
                    "\"inputResponses\":{},\"requestState\":\"" + state + "-TAMPERED\"")),
                    4L, JsonRpcError.INVALID_PARAMS, "failed verification");
            String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    "{\"v\":1,\"exp\":99999999999999,\"m\":\"tools/call\",\"n\":\"ask_name\",\"h\":\"x\",\"a\":{}}"
                            .getBytes(StandardCharsets.UTF_8)) + "." + state.substring(state.indexOf('.') + 1);
            assertError(s.call(modernCall(5, "ask_name", ALL_CAPABILITIES, "\"requestState\":\"" + forged + "\"")),
                    5L, JsonRpcError.INVALID_PARAMS, "failed verification");
            assertError(s.call(modernCall(6, "two_steps", ALL_CAPABILITIES, "\"requestState\":\"" + state + "\"")),
                    6L, JsonRpcError.INVALID_PARAMS, "issued for tools/call of ask_name");
        }
    }

    @Test
    void modernExpiredStatesAreInvalidParams() throws Exception {
        ManualClock clock = new ManualClock();
        try (McpSession s = session(askingServer().clock(clock).requestStateTtl(Duration.ofMinutes(10)))) {
            Map<String, Object> r1 = s.call(modernCall(1, "ask_name", ALL_CAPABILITIES, ""));
            String answer = retry(r1, "{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Late\"}}}");
            clock.advance(Duration.ofMinutes(10).minusMillis(1));
            assertThat(at(s.call(modernCall(2, "ask_name", ALL_CAPABILITIES, answer)), "result.content.0.text"))
                    .as("1 ms before it expires").isEqualTo("Hello, Late!");
            clock.advance(Duration.ofMillis(1));
            assertError(s.call(modernCall(3, "ask_name", ALL_CAPABILITIES, answer)),
                    3L, JsonRpcError.INVALID_PARAMS, "it expired 0 ms ago (request states are valid for 600000 ms)");
        }
    }

    @Test
    void modernAskingWithoutTheCapabilityIsMissingRequiredClientCapability() throws Exception {
        try (McpSession s = session(askingServer())) {
            Map<String, Object> r = s.call(modernCall(1, "ask_name", "{\"sampling\":{}}", ""));
            assertError(r, 1L, JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, "elicitation");
            assertThat(at(r, "error.data.requiredCapabilities.elicitation.form")).isEqualTo(Map.of());
            assertThat(at(s.call(modernCall(2, "ask_if_able", "{\"sampling\":{}}", "")), "result.content.0.text"))
                    .isEqualTo("cannot ask");
        }
    }

    // ------------------------------------------------------------------ resources

    private static String req(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static String modern(String params) {
        return params.equals("{}") ? "{" + MODERN_META + "}" : "{" + MODERN_META + "," + params.substring(1);
    }

    /** Reads messages until the response with {@code id}, collecting the notifications before it. */
    private static Map<String, Object> responseTo(McpSession s, Object id, List<Map<String, Object>> notifications)
            throws IOException {
        while (true) {
            Map<String, Object> m = s.readJson();
            if (m.containsKey("method") && !m.containsKey("id")) {
                notifications.add(m);
            } else {
                assertThat(m.get("id")).isEqualTo(id);
                return m;
            }
        }
    }

    @Test
    void capabilitiesAdvertiseWhatTheServerHas() throws Exception {
        try (McpSession s = session()) {
            Map<String, Object> caps = (Map<String, Object>) s.initialize("2025-11-25").get("capabilities");
            assertThat(at(caps, "resources.subscribe")).isEqualTo(true);
            assertThat(at(caps, "resources.listChanged")).isEqualTo(true);
            assertThat(at(caps, "prompts.listChanged")).isEqualTo(true);
            assertThat(caps).containsKeys("completions", "logging", "tools");
        }
        try (McpSession s = session(Peregrine.builder().tool(EchoTool.create()))) {
            Map<String, Object> caps = (Map<String, Object>) s.initialize("2025-11-25").get("capabilities");
            assertThat(caps).containsKeys("tools", "logging").doesNotContainKeys("resources", "prompts", "completions");
        }
    }

    @Test
    void resourcesListPagesInUriOrder() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> first = s.call(req(1, "resources/list", "{}"));
            List<Map<String, Object>> page = (List<Map<String, Object>>) at(first, "result.resources");
            assertThat(page).extracting(r -> r.get("uri"))
                    .containsExactly("test://static/a", "test://static/blob", "test://static/hello");
            assertThat(page.get(2)).containsEntry("name", "hello").containsEntry("title", "Hello")
                    .containsEntry("mimeType", "text/plain").containsEntry("size", 11L);
            String cursor = (String) at(first, "result.nextCursor");
            assertThat(cursor).isNotNull();
            Map<String, Object> second = s.call(req(2, "resources/list", "{\"cursor\":\"" + cursor + "\"}"));
            assertThat((List<?>) at(second, "result.resources")).hasSize(1);
            assertThat(at(second, "result.resources.0.uri")).isEqualTo("test://static/slow");
            assertThat((Map<String, Object>) second.get("result")).doesNotContainKeys("nextCursor", "resultType", "ttlMs");
            assertError(s.call(req(3, "resources/list", "{\"cursor\":\"bogus\"}")), 3L, JsonRpcError.INVALID_PARAMS,
                    "Invalid cursor");
        }
    }

    @Test
    void resourcesReadTextBlobAndOffThread() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> text = s.call(req(1, "resources/read", "{\"uri\":\"test://static/hello\"}"));
            assertThat(at(text, "result.contents.0.uri")).isEqualTo("test://static/hello");
            assertThat(at(text, "result.contents.0.mimeType")).isEqualTo("text/plain");
            assertThat(at(text, "result.contents.0.text")).isEqualTo("hello world");
            Map<String, Object> blob = s.call(req(2, "resources/read", "{\"uri\":\"test://static/blob\"}"));
            assertThat(at(blob, "result.contents.0.blob")).isEqualTo("AQID");
            assertThat((Map<String, Object>) at(blob, "result.contents.0")).doesNotContainKey("text");
            Map<String, Object> slow = s.call(req(3, "resources/read", "{\"uri\":\"test://static/slow\"}"));
            assertThat(at(slow, "result.contents.0.text")).isEqualTo("read on a worker");
        }
    }

    @Test
    void templatesAreListedAndReadWithTheirVariables() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> list = s.call(req(1, "resources/templates/list", "{}"));
            assertThat(at(list, "result.resourceTemplates.0.uriTemplate")).isEqualTo("test://items/{id}");
            assertThat(at(list, "result.resourceTemplates.0.name")).isEqualTo("items");
            Map<String, Object> item = s.call(req(2, "resources/read", "{\"uri\":\"test://items/caf%C3%A9\"}"));
            assertThat(at(item, "result.contents.0.text")).isEqualTo("item café");
            assertThat(at(item, "result.contents.0.uri")).isEqualTo("test://items/caf%C3%A9");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingResources")
    void aResourceThatIsNotThereIsNotFoundInEachRevisionsCode(String uri, String messagePart) throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(req(1, "resources/read", "{\"uri\":\"" + uri + "\"}"));
            assertError(r, 1L, JsonRpcError.RESOURCE_NOT_FOUND, messagePart);
            assertThat(at(r, "error.data.uri")).isEqualTo(uri);
            Map<String, Object> modern = s.call(req(2, "resources/read", modern("{\"uri\":\"" + uri + "\"}")));
            assertError(modern, 2L, JsonRpcError.INVALID_PARAMS, messagePart);
            assertThat(at(modern, "error.data.uri")).isEqualTo(uri);
            assertStillServes(s);
        }
    }

    static Stream<Arguments> missingResources() {
        return Stream.of(
                Arguments.of("test://nowhere", "matches none of its resource templates"),
                // the template's variable does not match a path with a slash in it
                Arguments.of("test://items/a/b", "matches none of its resource templates"),
                // the template matches, but its handler knows no such item
                Arguments.of("test://items/missing", "there is no item \"missing\""));
    }

    @Test
    void readWithoutAUriIsInvalidParams() throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call(req(1, "resources/read", "{}")), 1L, JsonRpcError.INVALID_PARAMS,
                    "missing required string \"uri\"");
        }
    }

    @Test
    void modernResourceResultsCarryCacheHintsAndServerInfo() throws Exception {
        try (McpSession s = session()) {
            for (String method : List.of("resources/list", "resources/templates/list", "prompts/list")) {
                Map<String, Object> r = s.call(req(1, method, modern("{}")));
                assertThat(at(r, "result.resultType")).as(method).isEqualTo("complete");
                assertThat(at(r, "result.ttlMs")).as(method).isEqualTo(0L);
                assertThat(at(r, "result.cacheScope")).as(method).isEqualTo("public");
                assertThat(((Map<?, ?>) at(r, "result._meta")).get("io.modelcontextprotocol/serverInfo")).isNotNull();
            }
            Map<String, Object> read = s.call(req(2, "resources/read", modern("{\"uri\":\"test://static/hello\"}")));
            assertThat(at(read, "result.resultType")).isEqualTo("complete");
            assertThat(at(read, "result.ttlMs")).isEqualTo(0L);
            assertThat(at(read, "result.cacheScope")).isEqualTo("private");
            assertThat(at(read, "result.contents.0.text")).isEqualTo("hello world");
            assertThat(((Map<?, ?>) at(read, "result._meta")).get("io.modelcontextprotocol/serverInfo")).isNotNull();
        }
    }

    @Test
    void subscribedResourcesReportUpdatesUntilUnsubscribed() throws Exception {
        try (McpSession s = ready()) {
            assertThat((Map<?, ?>) s.call(req(1, "resources/subscribe", "{\"uri\":\"test://items/7\"}")).get("result")).isEmpty();
            s.server().resources().updated("test://static/hello"); // not subscribed: nothing
            s.server().resources().updated("test://items/7");
            Map<String, Object> n = s.readJson();
            assertThat(n.get("method")).isEqualTo("notifications/resources/updated");
            assertThat(at(n, "params.uri")).isEqualTo("test://items/7");
            assertThat((Map<?, ?>) s.call(req(2, "resources/unsubscribe", "{\"uri\":\"test://items/7\"}")).get("result")).isEmpty();
            s.server().resources().updated("test://items/7");
            assertNothingElseSent(s, "an update of a resource no longer subscribed to");
        }
    }

    @Test
    void aSubscriptionToNothingIsNotFound() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(req(1, "resources/subscribe", "{\"uri\":\"test://nowhere\"}"));
            assertError(r, 1L, JsonRpcError.RESOURCE_NOT_FOUND, "Cannot subscribe to test://nowhere");
            assertThat(at(r, "error.data.uri")).isEqualTo("test://nowhere");
            assertError(s.call(req(2, "resources/subscribe", modern("{\"uri\":\"test://static/a\"}"))), 2L,
                    JsonRpcError.METHOD_NOT_FOUND, "subscriptions/listen");
        }
    }

    // ------------------------------------------------------------------ prompts

    @Test
    void promptsAreListedWithTheirArguments() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(req(1, "prompts/list", "{}"));
            assertThat((List<Map<String, Object>>) at(r, "result.prompts")).extracting(p -> p.get("name"))
                    .containsExactly("every_content", "greet");
            assertThat(at(r, "result.prompts.1.title")).isEqualTo("Greeting");
            assertThat(at(r, "result.prompts.1.arguments.0.name")).isEqualTo("name");
            assertThat(at(r, "result.prompts.1.arguments.0.required")).isEqualTo(true);
            assertThat(at(r, "result.prompts.1.arguments.1.required")).isEqualTo(false);
        }
    }

    @Test
    void promptsGetFillsInTheArguments() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(req(1, "prompts/get",
                    "{\"name\":\"greet\",\"arguments\":{\"name\":\"Ada\",\"style\":\"formal\"}}"));
            assertThat(at(r, "result.description")).isEqualTo("A greeting for Ada");
            assertThat(at(r, "result.messages.0.role")).isEqualTo("user");
            assertThat(at(r, "result.messages.0.content.text")).isEqualTo("Please greet Ada in a formal way.");
            assertThat(at(r, "result.messages.1.role")).isEqualTo("assistant");
            Map<String, Object> modern = s.call(req(2, "prompts/get", modern("{\"name\":\"greet\",\"arguments\":{\"name\":\"Bo\"}}")));
            assertThat(at(modern, "result.resultType")).isEqualTo("complete");
            assertThat(at(modern, "result.messages.0.content.text")).isEqualTo("Please greet Bo in a casual way.");
        }
    }

    @Test
    void promptMessagesCarryEveryContentType() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> r = s.call(req(1, "prompts/get", "{\"name\":\"every_content\"}"));
            assertThat(at(r, "result.messages.0.content.type")).isEqualTo("text");
            assertThat(at(r, "result.messages.1.content.type")).isEqualTo("image");
            assertThat(at(r, "result.messages.1.content.data")).isEqualTo("AQID");
            assertThat(at(r, "result.messages.2.content.type")).isEqualTo("audio");
            assertThat(at(r, "result.messages.3.content.type")).isEqualTo("resource_link");
            assertThat(at(r, "result.messages.3.content.uri")).isEqualTo("test://static/hello");
            assertThat(at(r, "result.messages.4.content.type")).isEqualTo("resource");
            assertThat(at(r, "result.messages.4.content.resource.text")).isEqualTo("A");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPromptGets")
    void badPromptRequestsAreInvalidParams(String name, String params, String messagePart) throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call(req(1, "prompts/get", params)), 1L, JsonRpcError.INVALID_PARAMS, messagePart);
            assertStillServes(s);
        }
    }

    static Stream<Arguments> badPromptGets() {
        return Stream.of(
                Arguments.of("argument missing", "{\"name\":\"greet\",\"arguments\":{\"style\":\"formal\"}}",
                        "prompt greet is missing required argument name"),
                Arguments.of("no arguments at all", "{\"name\":\"greet\"}", "missing required argument name"),
                Arguments.of("argument not a string", "{\"name\":\"greet\",\"arguments\":{\"name\":7}}",
                        "argument \"name\" must be a string"),
                Arguments.of("unknown prompt", "{\"name\":\"nope\"}", "Unknown prompt: nope"),
                Arguments.of("no name", "{}", "missing required string \"name\""));
    }

    // ------------------------------------------------------------------ completions

    @Test
    void completionsForPromptArgumentsAndTemplateVariables() throws Exception {
        try (McpSession s = ready()) {
            Map<String, Object> prompt = s.call(req(1, "completion/complete",
                    "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"style\",\"value\":\"f\"}}"));
            assertThat((List<Object>) at(prompt, "result.completion.values")).containsExactly("formal");
            assertThat(at(prompt, "result.completion.hasMore")).isEqualTo(false);
            Map<String, Object> template = s.call(req(2, "completion/complete",
                    "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://items/{id}\"},\"argument\":{\"name\":\"id\",\"value\":\"ap\"}}"));
            assertThat((List<Object>) at(template, "result.completion.values")).containsExactly("apple", "apricot");
            Map<String, Object> none = s.call(req(3, "completion/complete",
                    "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"name\",\"value\":\"A\"}}"));
            assertThat((List<Object>) at(none, "result.completion.values")).isEmpty();
            Map<String, Object> modern = s.call(req(4, "completion/complete", modern(
                    "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"style\",\"value\":\"\"}}")));
            assertThat(at(modern, "result.resultType")).isEqualTo("complete");
            assertThat((List<Object>) at(modern, "result.completion.values")).containsExactly("formal", "casual");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCompletions")
    void badCompletionRequestsAreInvalidParams(String name, String params, String messagePart) throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call(req(1, "completion/complete", params)), 1L, JsonRpcError.INVALID_PARAMS, messagePart);
            assertStillServes(s);
        }
    }

    static Stream<Arguments> badCompletions() {
        String arg = ",\"argument\":{\"name\":\"id\",\"value\":\"\"}}";
        return Stream.of(
                Arguments.of("unknown prompt", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"}" + arg,
                        "unknown prompt \"nope\""),
                Arguments.of("unknown template", "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://x/{id}\"}" + arg,
                        "unknown resource template \"test://x/{id}\""),
                Arguments.of("unknown ref type", "{\"ref\":{\"type\":\"ref/tool\",\"name\":\"echo\"}" + arg,
                        "must be \"ref/prompt\" or \"ref/resource\""),
                Arguments.of("unknown prompt argument", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"}" + arg,
                        "prompt greet has no argument \"id\""),
                Arguments.of("unknown template variable", "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://items/{id}\"},"
                        + "\"argument\":{\"name\":\"x\",\"value\":\"\"}}", "has no variable \"x\""),
                Arguments.of("no ref", "{\"argument\":{\"name\":\"id\",\"value\":\"\"}}", "missing required object \"ref\""),
                Arguments.of("no argument", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"}}",
                        "missing required object \"argument\""));
    }

    // ------------------------------------------------------------------ logging

    private static final String CALL_CHATTY = "{\"name\":\"chatty\",\"arguments\":{}}";

    @Test
    void setLevelFiltersToolLogMessages() throws Exception {
        try (McpSession s = ready()) {
            List<Map<String, Object>> silent = new java.util.ArrayList<>();
            s.send(req(1, "tools/call", CALL_CHATTY));
            assertThat(at(responseTo(s, 1L, silent), "result.content.0.text")).isEqualTo("logged");
            assertThat(silent).as("no messages before logging/setLevel").isEmpty();

            assertThat((Map<?, ?>) s.call(req(2, "logging/setLevel", "{\"level\":\"info\"}")).get("result")).isEmpty();
            List<Map<String, Object>> info = new java.util.ArrayList<>();
            s.send(req(3, "tools/call", CALL_CHATTY));
            responseTo(s, 3L, info);
            assertThat(info).extracting(m -> at(m, "params.level")).containsExactly("info", "warning");
            assertThat(info.get(0).get("method")).isEqualTo("notifications/message");
            assertThat(at(info.get(0), "params.logger")).isEqualTo("chatty");
            assertThat(at(info.get(0), "params.data.step")).isEqualTo(1L);
            assertThat(at(info.get(1), "params.data")).isEqualTo("a warning");

            s.call(req(4, "logging/setLevel", "{\"level\":\"debug\"}"));
            List<Map<String, Object>> all = new java.util.ArrayList<>();
            s.send(req(5, "tools/call", CALL_CHATTY));
            responseTo(s, 5L, all);
            assertThat(all).hasSize(3);
        }
    }

    @Test
    void modernRequestsGetLogMessagesOnlyWhenTheyAskForThem() throws Exception {
        try (McpSession s = session()) {
            List<Map<String, Object>> none = new java.util.ArrayList<>();
            s.send(req(1, "tools/call", modern(CALL_CHATTY)));
            responseTo(s, 1L, none);
            assertThat(none).isEmpty();
            String withLevel = "{\"name\":\"chatty\",\"arguments\":{},\"_meta\":{"
                    + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
                    + "\"io.modelcontextprotocol/logLevel\":\"warning\"}}";
            List<Map<String, Object>> warnings = new java.util.ArrayList<>();
            s.send(req(2, "tools/call", withLevel));
            responseTo(s, 2L, warnings);
            assertThat(warnings).extracting(m -> at(m, "params.level")).containsExactly("warning");
            assertError(s.call(req(3, "logging/setLevel", modern("{\"level\":\"info\"}"))), 3L,
                    JsonRpcError.METHOD_NOT_FOUND, "io.modelcontextprotocol/logLevel");
            assertError(s.call(req(4, "tools/call", withLevel.replace("\"warning\"", "\"loud\""))), 4L,
                    JsonRpcError.INVALID_PARAMS, "\"loud\" is not one of debug, info");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLevels")
    void setLevelWithABadLevelIsInvalidParams(String name, String params, String messagePart) throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call(req(1, "logging/setLevel", params)), 1L, JsonRpcError.INVALID_PARAMS, messagePart);
            assertStillServes(s);
        }
    }

    static Stream<Arguments> badLevels() {
        return Stream.of(
                Arguments.of("unknown level", "{\"level\":\"loud\"}",
                        "level \"loud\" is not one of debug, info, notice, warning, error, critical, alert, emergency"),
                Arguments.of("upper case", "{\"level\":\"INFO\"}", "level \"INFO\" is not one of"),
                Arguments.of("not a string", "{\"level\":3}", "\"level\" must be a string"),
                Arguments.of("missing", "{}", "missing required string \"level\""));
    }

    // ------------------------------------------------------------------ list_changed and subscriptions/listen

    private static Peregrine.Builder dynamicServer() {
        return Peregrine.builder().tool(EchoTool.create()).resource(TestContent.resources().get(0))
                .prompt(TestContent.greet()).drainTimeout(Duration.ofMillis(200));
    }

    @Test
    void registryChangesReachInitializedSessionsAsListChanged() throws Exception {
        try (McpSession s = session(dynamicServer())) {
            s.initialize("2025-06-18");
            assertStillServes(s);
            s.server().tools().add(TestTools.boom());
            assertThat(s.readJson().get("method")).isEqualTo("notifications/tools/list_changed");
            s.server().prompts().add(TestContent.everyContent());
            assertThat(s.readJson().get("method")).isEqualTo("notifications/prompts/list_changed");
            s.server().resources().add(TestContent.items());
            assertThat(s.readJson().get("method")).isEqualTo("notifications/resources/list_changed");
            assertThat(s.server().tools().remove("boom")).isTrue();
            assertThat(s.readJson().get("method")).isEqualTo("notifications/tools/list_changed");
            Map<String, Object> list = s.call(req(1, "resources/templates/list", "{}"));
            assertThat(at(list, "result.resourceTemplates.0.uriTemplate")).isEqualTo("test://items/{id}");
        }
    }

    @Test
    void aSessionBeforeInitializeHearsNoListChanges() throws Exception {
        try (McpSession s = session(dynamicServer())) {
            s.server().tools().add(TestTools.boom());
            assertNothingElseSent(s, "a tool added before initialize");
        }
    }

    private static final String LISTEN = "{\"jsonrpc\":\"2.0\",\"id\":\"sub\",\"method\":\"subscriptions/listen\",\"params\":{"
            + MODERN_META + ",\"notifications\":%s}}";

    @Test
    void listenAcknowledgesThenDeliversOnlyWhatWasAskedFor() throws Exception {
        try (McpSession s = session(dynamicServer())) {
            s.send(String.format(LISTEN, "{\"toolsListChanged\":true,\"resourceSubscriptions\":"
                    + "[\"test://static/hello\",\"test://nowhere\"]}"));
            Map<String, Object> ack = s.readJson();
            assertThat(ack.get("method")).isEqualTo("notifications/subscriptions/acknowledged");
            assertThat(((Map<?, ?>) at(ack, "params._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("sub");
            assertThat(at(ack, "params.notifications.toolsListChanged")).isEqualTo(true);
            assertThat((Map<String, Object>) at(ack, "params.notifications")).doesNotContainKeys("promptsListChanged", "resourcesListChanged");
            assertThat((List<Object>) at(ack, "params.notifications.resourceSubscriptions"))
                    .as("an unknown URI is not honored").containsExactly("test://static/hello");

            s.server().prompts().add(TestContent.everyContent()); // not asked for
            s.server().tools().add(TestTools.boom());
            Map<String, Object> tools = s.readJson();
            assertThat(tools.get("method")).isEqualTo("notifications/tools/list_changed");
            assertThat(((Map<?, ?>) at(tools, "params._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("sub");
            s.server().resources().updated("test://static/hello");
            Map<String, Object> updated = s.readJson();
            assertThat(updated.get("method")).isEqualTo("notifications/resources/updated");
            assertThat(at(updated, "params.uri")).isEqualTo("test://static/hello");
            assertThat(((Map<?, ?>) at(updated, "params._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("sub");

            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"sub\"}}");
            assertStillServes(s);
            s.server().tools().add(TestTools.refuse());
            assertNothingElseSent(s, "a change after the stream was cancelled: a cancelled stream delivers nothing and is not answered");
        }
    }

    @Test
    void listenEndsGracefullyWhenTheServerShutsDown() throws Exception {
        try (McpSession s = session(dynamicServer())) {
            s.send(String.format(LISTEN, "{\"promptsListChanged\":true}"));
            assertThat(s.readJson().get("method")).isEqualTo("notifications/subscriptions/acknowledged");
            Thread closer = new Thread(s.server()::close);
            closer.start();
            Map<String, Object> end = s.readJson();
            assertThat(end.get("id")).isEqualTo("sub");
            assertThat(at(end, "result.resultType")).isEqualTo("complete");
            assertThat(((Map<?, ?>) at(end, "result._meta")).get("io.modelcontextprotocol/subscriptionId")).isEqualTo("sub");
            closer.join(10_000);
        }
    }

    @Test
    void badListenRequestsGetPreciseErrors() throws Exception {
        try (McpSession s = ready()) {
            assertError(s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\",\"params\":"
                    + "{\"notifications\":{}}}"), 1L, JsonRpcError.METHOD_NOT_FOUND, "resources/subscribe");
            assertError(s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"subscriptions/listen\",\"params\":{" + MODERN_META + "}}"),
                    2L, JsonRpcError.INVALID_PARAMS, "missing required object \"notifications\"");
            assertError(s.call(String.format(LISTEN, "{\"toolsListChanged\":\"yes\"}")), "sub",
                    JsonRpcError.INVALID_PARAMS, "must be a boolean");
            assertError(s.call(String.format(LISTEN, "{\"resourceSubscriptions\":\"test://static/a\"}")), "sub",
                    JsonRpcError.INVALID_PARAMS, "must be an array");
        }
    }

    // ------------------------------------------------------------------ tasks

    private static final String TASKS_EXT = "{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}},\"elicitation\":{}}";

    private static Peregrine.Builder taskServer() {
        Peregrine.Builder b = Peregrine.builder().drainTimeout(Duration.ofMillis(100));
        io.peregrine.testing.TaskTools.all().forEach(b::tool);
        return b;
    }

    private static String modernRequest(Object id, String method, String params, String capabilities) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{" + params
                + (params.isEmpty() ? "" : ",") + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + ","
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}";
    }

    /** Reads until the response with {@code id}, skipping notifications (task status, progress). */
    private static Map<String, Object> response(McpSession s, Object id) throws IOException {
        for (int i = 0; i < 100; i++) {
            Map<String, Object> m = s.readJson();
            if (!m.containsKey("method") && id.equals(m.get("id"))) {
                return m;
            }
        }
        throw new AssertionError("no response with id " + id);
    }

    private static Map<String, Object> pollUntil(McpSession s, String taskId, String capabilities, String... statuses)
            throws Exception {
        Map<String, Object>[] last = new Map[1];
        int[] id = {1000};
        Await.until(() -> {
            try {
                last[0] = response(s.send(modernRequest(++id[0], "tasks/get", "\"taskId\":\"" + taskId + "\"",
                        capabilities)), (long) id[0]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return List.of(statuses).contains(at(last[0], "result.status"));
        }, "task " + taskId + " reaching one of " + List.of(statuses));
        return last[0];
    }

    @Test
    void modernTasksAreAdvertisedAsAnExtension() throws Exception {
        try (McpSession s = session(taskServer())) {
            Map<String, Object> d = s.call(modernRequest(1, "server/discover", "", "{}"));
            assertThat(((Map<?, ?>) at(d, "result.capabilities.extensions")).get("io.modelcontextprotocol/tasks")).isEqualTo(Map.of());
            assertThat((Map<String, Object>) at(d, "result.capabilities")).doesNotContainKey("tasks");
            Map<String, Object> list = s.call(modernRequest(2, "tools/list", "", "{}"));
            assertThat((List<Map<String, Object>>) at(list, "result.tools")).anySatisfy(t -> {
                assertThat(t.get("name")).isEqualTo("failing_job");
                assertThat(at(t, "execution.taskSupport")).isEqualTo("optional");
            });
        }
    }

    @Test
    void modernTaskLifecycle() throws Exception {
        try (McpSession s = session(taskServer())) {
            Map<String, Object> sync = s.call(modernRequest(1, "tools/call", "\"name\":\"greet\",\"arguments\":{}", TASKS_EXT));
            assertThat(at(sync, "result.resultType")).isEqualTo("complete");
            assertThat(at(sync, "result.content.0.text")).isEqualTo("Hello, World!");

            Map<String, Object> created = s.call(modernRequest(2, "tools/call",
                    "\"name\":\"slow_compute\",\"arguments\":{\"millis\":300,\"label\":\"x\"},\"task\":{\"ttl\":5}", TASKS_EXT));
            assertThat(at(created, "result.resultType")).isEqualTo("task");
            String taskId = (String) at(created, "result.taskId");
            assertThat(taskId).hasSizeGreaterThanOrEqualTo(22);
            assertThat(at(created, "result.status")).isEqualTo("working");
            assertThat((String) at(created, "result.createdAt")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.*");
            assertThat(at(created, "result.ttlMs")).isEqualTo(3_600_000L); // the legacy task param is ignored
            assertThat(at(created, "result.pollIntervalMs")).isEqualTo(500L);
            assertThat((Map<String, Object>) created.get("result")).doesNotContainKeys("task", "result", "requestState", "ttl");

            Map<String, Object> working = s.call(modernRequest(3, "tasks/get", "\"taskId\":\"" + taskId + "\"", TASKS_EXT));
            assertThat(at(working, "result.resultType")).isEqualTo("complete");
            assertThat(at(working, "result.status")).isEqualTo("working");
            Map<String, Object> done = pollUntil(s, taskId, TASKS_EXT, "completed");
            assertThat(at(done, "result.result.content.0.text")).isEqualTo("computed x in 300 ms");
            assertThat((Map<String, Object>) done.get("result")).doesNotContainKeys("error", "inputRequests", "requestState");

            Map<String, Object> ack = s.call(modernRequest(4, "tasks/cancel", "\"taskId\":\"" + taskId + "\"", TASKS_EXT));
            assertThat(at(ack, "result.resultType")).isEqualTo("complete");
            assertThat((Map<String, Object>) ack.get("result")).doesNotContainKeys("taskId", "status");
        }
    }

    @Test
    void modernTaskErrorsAndCancellation() throws Exception {
        try (McpSession s = session(taskServer())) {
            String failing = (String) at(s.call(modernRequest(1, "tools/call", "\"name\":\"failing_job\"", TASKS_EXT)),
                    "result.taskId");
            Map<String, Object> toolError = pollUntil(s, failing, TASKS_EXT, "completed", "failed");
            assertThat(at(toolError, "result.status")).isEqualTo("completed");
            assertThat(at(toolError, "result.result.isError")).isEqualTo(true);

            String broken = (String) at(s.call(modernRequest(2, "tools/call", "\"name\":\"protocol_error_job\"", TASKS_EXT)),
                    "result.taskId");
            Map<String, Object> failed = pollUntil(s, broken, TASKS_EXT, "completed", "failed");
            assertThat(at(failed, "result.status")).isEqualTo("failed");
            assertThat(at(failed, "result.error.code")).isEqualTo((long) JsonRpcError.INTERNAL_ERROR);
            assertThat((Map<String, Object>) failed.get("result")).doesNotContainKey("result");

            String slow = (String) at(s.call(modernRequest(3, "tools/call", "\"name\":\"slow_compute\","
                    + "\"arguments\":{\"seconds\":60}", TASKS_EXT)), "result.taskId");
            Map<String, Object> ack = s.call(modernRequest(4, "tasks/cancel", "\"taskId\":\"" + slow + "\"", TASKS_EXT));
            assertThat(at(ack, "result.resultType")).isEqualTo("complete");
            assertThat(at(pollUntil(s, slow, TASKS_EXT, "cancelled", "completed", "failed"), "result.status"))
                    .isEqualTo("cancelled");
            awaitCallsInFlight(s, 0);
        }
    }

    @Test
    void modernTaskBadInput() throws Exception {
        try (McpSession s = session(taskServer())) {
            assertThat(at(s.call(modernRequest(1, "tools/call", "\"name\":\"slow_compute\",\"arguments\":{\"seconds\":0}", "{}")),
                    "result.resultType")).isEqualTo("complete");
            Map<String, Object> required = s.call(modernRequest(2, "tools/call", "\"name\":\"required_job\"", "{}"));
            assertError(required, 2L, JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, "io.modelcontextprotocol/tasks");
            assertThat(((Map<?, ?>) at(required, "error.data.requiredCapabilities.extensions"))
                    .get("io.modelcontextprotocol/tasks")).isEqualTo(Map.of());
            for (String method : List.of("tasks/get", "tasks/update", "tasks/cancel")) {
                assertError(s.call(modernRequest(3, method, "\"taskId\":\"x\",\"inputResponses\":{}", "{}")), 3L,
                        JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, method);
                assertError(s.call(modernRequest(4, method, "\"taskId\":\"nonexistent-12345\",\"inputResponses\":{}",
                        TASKS_EXT)), 4L, JsonRpcError.INVALID_PARAMS, "Unknown task: nonexistent-12345");
            }
            assertError(s.call(modernRequest(5, "tasks/result", "\"taskId\":\"x\"", TASKS_EXT)), 5L,
                    JsonRpcError.METHOD_NOT_FOUND, "tasks/get inlines");
            assertError(s.call(modernRequest(6, "tasks/list", "", TASKS_EXT)), 6L, JsonRpcError.METHOD_NOT_FOUND, "removed");
        }
    }

    @Test
    void modernTaskInputGoesThroughTasksUpdate() throws Exception {
        try (McpSession s = session(taskServer())) {
            String taskId = (String) at(s.call(modernRequest(1, "tools/call", "\"name\":\"confirm_delete\"", TASKS_EXT)),
                    "result.taskId");
            Map<String, Object> waiting = pollUntil(s, taskId, TASKS_EXT, "input_required");
            Map<String, Object> requests = (Map<String, Object>) at(waiting, "result.inputRequests");
            assertThat(requests).hasSize(1);
            String key = requests.keySet().iterator().next();
            assertThat(at(requests.get(key), "method")).isEqualTo("elicitation/create");
            Map<String, Object> ack = s.call(modernRequest(2, "tasks/update", "\"taskId\":\"" + taskId
                    + "\",\"inputResponses\":{\"" + key + "\":{\"action\":\"accept\",\"content\":{\"confirm\":true}},"
                    + "\"never-issued\":{\"action\":\"accept\"}}", TASKS_EXT));
            assertThat(at(ack, "result.resultType")).isEqualTo("complete");
            assertThat(at(pollUntil(s, taskId, TASKS_EXT, "completed"), "result.result.content.0.text")).isEqualTo("deleted");

            String multi = (String) at(s.call(modernRequest(3, "tools/call", "\"name\":\"multi_input\"", TASKS_EXT)),
                    "result.taskId");
            Map<String, Object> both = pollUntil(s, multi, TASKS_EXT, "input_required");
            assertThat((Map<String, Object>) at(both, "result.inputRequests")).containsOnlyKeys("first", "second");
            s.call(modernRequest(4, "tasks/update", "\"taskId\":\"" + multi
                    + "\",\"inputResponses\":{\"first\":{\"action\":\"accept\",\"content\":{\"confirm\":true}}}", TASKS_EXT));
            Map<String, Object> one = s.call(modernRequest(5, "tasks/get", "\"taskId\":\"" + multi + "\"", TASKS_EXT));
            assertThat(at(one, "result.status")).isEqualTo("input_required");
            assertThat((Map<String, Object>) at(one, "result.inputRequests")).containsOnlyKeys("second");
            s.call(modernRequest(6, "tasks/update", "\"taskId\":\"" + multi
                    + "\",\"inputResponses\":{\"second\":{\"action\":\"accept\",\"content\":{\"confirm\":false}}}", TASKS_EXT));
            assertThat(at(pollUntil(s, multi, TASKS_EXT, "completed"), "result.result.content.0.text")).isEqualTo("true false");
        }
    }

    @Test
    void tasksExpireAfterTheirTtl() throws Exception {
        ManualClock clock = new ManualClock();
        try (McpSession s = session(taskServer().clock(clock).taskTtl(Duration.ofMinutes(5)))) {
            String done = (String) at(s.call(modernRequest(1, "tools/call", "\"name\":\"failing_job\"", TASKS_EXT)),
                    "result.taskId");
            String running = (String) at(s.call(modernRequest(2, "tools/call", "\"name\":\"slow_compute\","
                    + "\"arguments\":{\"seconds\":60}", TASKS_EXT)), "result.taskId");
            pollUntil(s, done, TASKS_EXT, "completed");
            clock.advance(Duration.ofMinutes(5).minusMillis(1));
            assertThat(at(s.call(modernRequest(3, "tasks/get", "\"taskId\":\"" + done + "\"", TASKS_EXT)), "result.ttlMs"))
                    .as("1 ms before it expires").isEqualTo(300_000L);
            assertThat(at(s.call(modernRequest(4, "tasks/get", "\"taskId\":\"" + running + "\"", TASKS_EXT)), "result.status"))
                    .isEqualTo("working");

            clock.advance(Duration.ofMillis(1));
            assertError(s.call(modernRequest(5, "tasks/get", "\"taskId\":\"" + running + "\"", TASKS_EXT)), 5L,
                    JsonRpcError.INVALID_PARAMS, "Unknown task");
            assertError(s.call(modernRequest(6, "tasks/get", "\"taskId\":\"" + done + "\"", TASKS_EXT)), 6L,
                    JsonRpcError.INVALID_PARAMS, "Unknown task");
            // The evicted running task was cancelled, not left to run.
            awaitCallsInFlight(s, 0);
        }
    }

    @Test
    void legacyTaskLifecycle() throws Exception {
        try (McpSession s = session(taskServer())) {
            Map<String, Object> init = s.initialize("2025-11-25", "{\"elicitation\":{}}");
            assertThat(at(init, "capabilities.tasks.requests.tools.call")).isEqualTo(Map.of());
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_compute\","
                    + "\"arguments\":{\"millis\":200,\"label\":\"L\"},\"task\":{\"ttl\":60000}}}");
            Map<String, Object> created = response(s, 1L);
            String taskId = (String) at(created, "result.task.taskId");
            assertThat(at(created, "result.task.status")).isEqualTo("working");
            assertThat(at(created, "result.task.ttl")).isEqualTo(60000L);
            assertThat(at(created, "result.task.pollInterval")).isEqualTo(500L);

            s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
            List<Object> statuses = new java.util.ArrayList<>();
            Map<String, Object> result;
            while (true) {
                Map<String, Object> m = s.readJson();
                if ("notifications/tasks/status".equals(m.get("method"))) {
                    statuses.add(at(m, "params.status"));
                } else {
                    result = m;
                    break;
                }
            }
            // Status notifications are the session's, not the call's: over Streamable HTTP they
            // travel on another stream, so the last may come after the result.
            while (!statuses.contains("completed")) {
                Map<String, Object> m = s.readJson();
                assertThat(m.get("method")).isEqualTo("notifications/tasks/status");
                statuses.add(at(m, "params.status"));
            }
            assertThat(result.get("id")).isEqualTo(2L);
            assertThat(at(result, "result.content.0.text")).isEqualTo("computed L in 200 ms");
            assertThat(((Map<?, ?>) at(result, "result._meta")).get("io.modelcontextprotocol/related-task"))
                    .isEqualTo(Map.of("taskId", taskId));
            assertThat(statuses).contains("completed");

            Map<String, Object> list = response(s.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/list\"}"), 3L);
            assertThat(at(list, "result.tasks.0.taskId")).isEqualTo(taskId);
            assertError(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/cancel\",\"params\":{\"taskId\":\""
                    + taskId + "\"}}"), 4L), 4L, JsonRpcError.INVALID_PARAMS, "already completed");

            s.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_compute\","
                    + "\"arguments\":{\"seconds\":60},\"task\":{}}}");
            String slow = (String) at(response(s, 5L), "result.task.taskId");
            Map<String, Object> cancelled = response(s.send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/cancel\","
                    + "\"params\":{\"taskId\":\"" + slow + "\"}}"), 6L);
            assertThat(at(cancelled, "result.status")).isEqualTo("cancelled");
            Map<String, Object> got = response(s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tasks/get\","
                    + "\"params\":{\"taskId\":\"" + slow + "\"}}"), 7L);
            assertThat(at(got, "result.status")).isEqualTo("cancelled");
            assertError(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"nope\"}}"),
                    8L), 8L, JsonRpcError.INVALID_PARAMS, "Unknown task: nope");
        }
    }

    @Test
    void legacyTaskRulesAndQuestions() throws Exception {
        try (McpSession s = session(taskServer())) {
            s.initialize("2025-11-25", "{\"elicitation\":{}}");
            assertError(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"greet\","
                    + "\"task\":{}}}"), 1L), 1L, JsonRpcError.METHOD_NOT_FOUND, "does not run as a task");
            assertError(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"required_job\"}}"), 2L), 2L, JsonRpcError.METHOD_NOT_FOUND, "runs only as a task");
            assertError(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/update\",\"params\":{\"taskId\":\"x\"}}"),
                    3L), 3L, JsonRpcError.METHOD_NOT_FOUND, "tasks/update");

            // A task that asks the client: a request to the session, the task input_required meanwhile.
            s.send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm_delete\",\"task\":{}}}");
            // The task's question and the call's answer race: either may come first.
            String taskId = null;
            Map<String, Object> ask = null;
            while (taskId == null || ask == null) {
                Map<String, Object> m = s.readJson();
                if ("elicitation/create".equals(m.get("method"))) {
                    ask = m;
                } else if (Long.valueOf(4).equals(m.get("id")) && !m.containsKey("method")) {
                    taskId = (String) at(m, "result.task.taskId");
                }
            }
            assertThat(((Map<?, ?>) at(ask, "params._meta")).get("io.modelcontextprotocol/related-task"))
                    .isEqualTo(Map.of("taskId", taskId));
            Map<String, Object> status = response(s.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\","
                    + "\"params\":{\"taskId\":\"" + taskId + "\"}}"), 5L);
            assertThat(at(status, "result.status")).isEqualTo("input_required");
            s.send(answer(ask.get("id"), "{\"action\":\"accept\",\"content\":{\"confirm\":false}}"));
            s.send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
            assertThat(at(response(s, 6L), "result.content.0.text")).isEqualTo("kept");

            // A tool error fails the task in this revision, and tasks/result gives the result as the call would have.
            s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"failing_job\",\"task\":{}}}");
            String failing = (String) at(response(s, 7L), "result.task.taskId");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + failing + "\"}}");
            assertThat(at(response(s, 8L), "result.isError")).isEqualTo(true);
            assertThat(at(response(s.send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tasks/get\",\"params\":{\"taskId\":\""
                    + failing + "\"}}"), 9L), "result.status")).isEqualTo("failed");
        }
    }

    // ------------------------------------------------------------------ prompts that ask the client

    private static Peregrine.Builder askingPromptServer() {
        return Peregrine.builder().drainTimeout(Duration.ofMillis(100))
                .prompt(io.peregrine.prompt.Prompt.builder("ask_context")
                        .blocking(true)
                        .askingHandler((args, client) -> io.peregrine.prompt.PromptResult.text("Context: "
                                + client.elicit(io.peregrine.tool.Elicitation.form("Which context?",
                                        "{\"type\":\"object\",\"properties\":{\"context\":{\"type\":\"string\"}}}")
                                        .key("user_context")).string("context")))
                        .build());
    }

    @Test
    void aPromptAsksTheClientInBothEras() throws Exception {
        try (McpSession s = session(askingPromptServer())) {
            s.initialize("2025-11-25", "{\"elicitation\":{}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"ask_context\"}}");
            Map<String, Object> ask = s.readJson();
            assertThat(ask.get("method")).isEqualTo("elicitation/create");
            Map<String, Object> r = s.call(answer(ask.get("id"), "{\"action\":\"accept\",\"content\":{\"context\":\"tests\"}}"));
            assertThat(at(r, "result.messages.0.content.text")).isEqualTo("Context: tests");

            Map<String, Object> r1 = s.call(modernRequest(2, "prompts/get", "\"name\":\"ask_context\"", "{\"elicitation\":{}}"));
            assertThat(at(r1, "result.resultType")).isEqualTo("input_required");
            assertThat(at(r1, "result.inputRequests.user_context.method")).isEqualTo("elicitation/create");
            Map<String, Object> r2 = s.call(modernRequest(3, "prompts/get", "\"name\":\"ask_context\","
                    + retry(r1, "{\"user_context\":{\"action\":\"accept\",\"content\":{\"context\":\"mrtr\"}}}"), "{\"elicitation\":{}}"));
            assertThat(at(r2, "result.resultType")).isEqualTo("complete");
            assertThat(at(r2, "result.messages.0.content.text")).isEqualTo("Context: mrtr");

            // A state issued for the prompt does not open a tool call, and asking without the capability is -32021.
            assertError(s.call(modernRequest(4, "prompts/get", "\"name\":\"ask_context\"", "{}")), 4L,
                    JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, "elicitation");
            assertError(s.call(modernRequest(5, "prompts/get", "\"name\":\"ask_context\",\"requestState\":\"x.y\"",
                    "{\"elicitation\":{}}")), 5L, JsonRpcError.INVALID_PARAMS, "failed verification");
        }
    }

    @Test
    void aToolGathersInputThenContinuesAsATask() throws Exception {
        try (McpSession s = session(taskServer())) {
            Map<String, Object> r1 = s.call(modernRequest(1, "tools/call", "\"name\":\"gather_then_task\"", TASKS_EXT));
            assertThat(at(r1, "result.resultType")).isEqualTo("input_required");
            assertThat((Map<String, Object>) r1.get("result")).doesNotContainKey("taskId");
            Map<String, Object> r2 = s.call(modernRequest(2, "tools/call", "\"name\":\"gather_then_task\","
                    + retry(r1, "{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}}"), TASKS_EXT));
            assertThat(at(r2, "result.resultType")).isEqualTo("task");
            assertThat((Map<String, Object>) r2.get("result")).doesNotContainKeys("requestState", "inputRequests");
            Map<String, Object> done = pollUntil(s, (String) at(r2, "result.taskId"), TASKS_EXT, "completed", "failed");
            assertThat(at(done, "result.result.content.0.text")).isEqualTo("Hello, Alice! (as a task)");

            // Without the extension the same tool simply answers.
            Map<String, Object> plain1 = s.call(modernRequest(3, "tools/call", "\"name\":\"gather_then_task\"", "{\"elicitation\":{}}"));
            Map<String, Object> plain2 = s.call(modernRequest(4, "tools/call", "\"name\":\"gather_then_task\","
                    + retry(plain1, "{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Bob\"}}}"), "{\"elicitation\":{}}"));
            assertThat(at(plain2, "result.content.0.text")).isEqualTo("Hello, Bob!");
            awaitCallsInFlight(s, 0);
        }
    }
}

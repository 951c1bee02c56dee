package io.peregrine.transport.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.peregrine.Peregrine;
import io.peregrine.policy.JwtAuthenticator;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.Tokens;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.RawHttp;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status line of a Streamable HTTP answer comes from what the core says it is, never from its
 * bytes: a result whose structured content looks like an error is a 200, and an error whose code
 * sits far into the message (behind a long string id) still gets its 401, 403, 404 or 429 with
 * the headers that go with them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpStatusTest {

    private static final String STATELESS_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    /** An id long enough to push the error's code past the first 512 bytes of the answer. */
    private static final String LONG_ID = "i".repeat(1_000);

    /** How far ahead of the wall clock the policy's clock runs; a principal expires by the policy's clock. */
    private final AtomicLong policyClockAhead = new AtomicLong();
    private Peregrine server;
    private InetSocketAddress address;

    @BeforeAll
    void start() throws Exception {
        JwtAuthenticator jwt = JwtAuthenticator.builder().hs256Secret(Tokens.SECRET).audience("peregrine").build();
        PolicyChain policy = PolicyChain.builder().authenticator("http", jwt)
                .rateLimiter(RateLimiter.builder().perPrincipalTool("limited", RateLimit.parse("1/1m")).build())
                .clock(() -> System.currentTimeMillis() + policyClockAhead.get())
                .build();
        // A result that describes an error of some other system: it is still a result.
        Tool reports = Tool.builder("reports").blocking(false)
                .inputSchema("{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"integer\"}}}")
                .handler((args, ctx) -> {
                    Map<String, Object> structured = new LinkedHashMap<>();
                    structured.put("ok", false);
                    structured.put("error", Map.of("code", args.integer("code", JsonRpcError.METHOD_NOT_FOUND)));
                    return ToolResult.builder().text("the upstream said no").structured(structured).build();
                }).build();
        server = Peregrine.builder().noTcp().http("127.0.0.1", 0).policy(policy).drainTimeout(Duration.ZERO)
                .tool(reports).tool(plain("limited")).tool(plain("secret")).build();
        address = server.start().http();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static Tool plain(String name) {
        return Tool.builder(name).blocking(false).handler((args, ctx) -> ToolResult.text(name)).build();
    }

    private static String bearer(String subject, String scope) {
        return "Authorization: Bearer " + Tokens.hs256(Tokens.claims(subject, scope).build());
    }

    /** A 2026-07-28 tools/call of {@code tool} with id {@code idJson} (JSON text). */
    private static RawHttp.Response callStateless(RawHttp h, String idJson, String tool, String arguments, String authorization)
            throws IOException {
        return h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                        + tool + "\",\"arguments\":" + arguments + "," + STATELESS_META + "}}",
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: " + tool, authorization).read();
    }

    /** A 2025-11-25 session started on {@code h}; its id. */
    private static String startSession(RawHttp h, String authorization) throws IOException {
        RawHttp.Response init = h.postJson("/mcp", INITIALIZE, authorization).read();
        assertThat(init.status).as(init.toString()).isEqualTo(200);
        String id = init.header("mcp-session-id");
        assertThat(h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 2025-11-25", authorization).read().status).isEqualTo(202);
        return id;
    }

    private static RawHttp.Response callInSession(RawHttp h, String session, String idJson, String tool, String arguments,
                                                  String authorization) throws IOException {
        return h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                        + tool + "\",\"arguments\":" + arguments + "}}",
                "Mcp-Session-Id: " + session, "MCP-Protocol-Version: 2025-11-25", authorization).read();
    }

    private static String quoted(String id) {
        return "\"" + id + "\"";
    }

    // ------------------------------------------------------------------ results that mention errors

    @Test
    void aResultWhoseStructuredContentHoldsAnErrorIs200WithoutASession() throws Exception {
        try (RawHttp h = new RawHttp(address)) {
            RawHttp.Response r = callStateless(h, "1", "reports", "{}", bearer("ann", "tool:reports"));
            assertThat(r.status).as(r.toString()).isEqualTo(200);
            assertThat(at(JsonTree.parse(r.body), "result.structuredContent.error.code")).isEqualTo(-32601L);
            assertThat(at(JsonTree.parse(r.body), "error")).isNull();
        }
    }

    @ParameterizedTest(name = "structuredContent error code {0}")
    @ValueSource(ints = {JsonRpcError.METHOD_NOT_FOUND, JsonRpcError.FORBIDDEN, JsonRpcError.RATE_LIMITED})
    void aResultWhoseStructuredContentHoldsAnErrorIs200InASession(int code) throws Exception {
        String authorization = bearer("bea", "tool:reports");
        try (RawHttp h = new RawHttp(address)) {
            String session = startSession(h, authorization);
            RawHttp.Response r = callInSession(h, session, "2", "reports", "{\"code\":" + code + "}", authorization);
            assertThat(r.status).as(r.toString()).isEqualTo(200);
            assertThat(r.header("www-authenticate")).isNull();
            assertThat(r.header("retry-after")).isNull();
            assertThat(at(JsonTree.parse(r.body), "result.structuredContent.error.code")).isEqualTo((long) code);
        }
    }

    // ------------------------------------------------------------------ errors behind a long id

    @Test
    void anExpiredTokenIs401EvenBehindALongId() throws Exception {
        String authorization = bearer("cat", "tool:limited");
        policyClockAhead.set(Duration.ofHours(2).toMillis());
        try (RawHttp h = new RawHttp(address)) {
            RawHttp.Response r = callStateless(h, quoted(LONG_ID), "secret", "{}", authorization);
            assertThat(r.status).as(r.toString()).isEqualTo(401);
            assertThat(r.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(LONG_ID);
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo((long) JsonRpcError.UNAUTHORIZED);
            assertThat(r.body).contains("expired");
        } finally {
            policyClockAhead.set(0);
        }
    }

    @Test
    void aMissingScopeIs403NamingItEvenBehindALongIdWithoutASession() throws Exception {
        try (RawHttp h = new RawHttp(address)) {
            RawHttp.Response r = callStateless(h, quoted(LONG_ID), "secret", "{}", bearer("dan", "tool:limited"));
            assertThat(r.status).as(r.toString()).isEqualTo(403);
            assertThat(r.header("www-authenticate")).isEqualTo("Bearer error=\"insufficient_scope\", scope=\"tool:secret\"");
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(LONG_ID);
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo((long) JsonRpcError.FORBIDDEN);
        }
    }

    @Test
    void aMissingScopeIs403NamingItEvenBehindALongIdInASession() throws Exception {
        String authorization = bearer("eve", "tool:limited");
        try (RawHttp h = new RawHttp(address)) {
            String session = startSession(h, authorization);
            RawHttp.Response r = callInSession(h, session, quoted(LONG_ID), "secret", "{}", authorization);
            assertThat(r.status).as(r.toString()).isEqualTo(403);
            assertThat(r.header("www-authenticate")).isEqualTo("Bearer error=\"insufficient_scope\", scope=\"tool:secret\"");
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(LONG_ID);
        }
    }

    @Test
    void anExhaustedLimitIs429WithRetryAfterEvenBehindALongId() throws Exception {
        String authorization = bearer("fay", "tool:limited");
        try (RawHttp h = new RawHttp(address)) {
            RawHttp.Response first = callStateless(h, quoted(LONG_ID), "limited", "{}", authorization);
            assertThat(first.status).as(first.toString()).isEqualTo(200);
            assertThat(first.header("retry-after")).isNull();
            RawHttp.Response r = callStateless(h, quoted(LONG_ID), "limited", "{}", authorization);
            assertThat(r.status).as(r.toString()).isEqualTo(429);
            long retryAfterMs = (Long) at(JsonTree.parse(r.body), "error.data.retryAfterMs");
            assertThat(Long.parseLong(r.header("retry-after"))).isEqualTo(HttpStatusTable.retryAfterSeconds(retryAfterMs))
                    .isBetween(1L, 60L);
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(LONG_ID);
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo((long) JsonRpcError.RATE_LIMITED);
        }
    }

    @Test
    void anUnknownMethodIs404EvenBehindALongIdWithoutASession() throws Exception {
        try (RawHttp h = new RawHttp(address)) {
            RawHttp.Response r = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + quoted(LONG_ID)
                            + ",\"method\":\"nope/nope\",\"params\":{" + STATELESS_META + "}}",
                    "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: nope/nope", bearer("gus", "tool:limited")).read();
            assertThat(r.status).as(r.toString()).isEqualTo(404);
            assertThat(at(JsonTree.parse(r.body), "id")).isEqualTo(LONG_ID);
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo((long) JsonRpcError.METHOD_NOT_FOUND);
        }
    }

    @Test
    void anUnknownMethodIs200InASessionAsThe2025RevisionsSay() throws Exception {
        String authorization = bearer("hal", "tool:limited");
        try (RawHttp h = new RawHttp(address)) {
            String session = startSession(h, authorization);
            RawHttp.Response r = h.postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + quoted(LONG_ID) + ",\"method\":\"nope/nope\"}",
                    "Mcp-Session-Id: " + session, "MCP-Protocol-Version: 2025-11-25", authorization).read();
            assertThat(r.status).as(r.toString()).isEqualTo(200);
            assertThat(at(JsonTree.parse(r.body), "error.code")).isEqualTo((long) JsonRpcError.METHOD_NOT_FOUND);
        }
    }

    // ------------------------------------------------------------------ the table itself

    @Test
    void theTableMapsOutcomesToStatuses() {
        assertThat(HttpStatusTable.status(Outcome.RESULT, true, true)).isEqualTo(HttpResponseStatus.OK);
        assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.METHOD_NOT_FOUND), true, true))
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.METHOD_NOT_FOUND), false, true))
                .isEqualTo(HttpResponseStatus.OK);
        for (int code : new int[] {JsonRpcError.PARSE_ERROR, JsonRpcError.INVALID_REQUEST, JsonRpcError.HEADER_MISMATCH,
            JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION}) {
            assertThat(HttpStatusTable.status(Outcome.error(code), true, true)).as("code %d", code)
                    .isEqualTo(HttpResponseStatus.BAD_REQUEST);
            assertThat(HttpStatusTable.status(Outcome.error(code), false, true)).as("code %d in a session", code)
                    .isEqualTo(HttpResponseStatus.OK);
        }
        assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.INTERNAL_ERROR), true, true)).isEqualTo(HttpResponseStatus.OK);
        assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.SERVER_OVERLOADED, null, 100), true, true))
                .isEqualTo(HttpResponseStatus.OK);
        // An answer to a POST that carried no request is 400 in both eras; policy refusals keep their own status.
        assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.INVALID_REQUEST), false, false))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        for (boolean stateless : new boolean[] {true, false}) {
            assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.UNAUTHORIZED), stateless, true))
                    .isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.FORBIDDEN, "tool:x", -1), stateless, true))
                    .isEqualTo(HttpResponseStatus.FORBIDDEN);
            assertThat(HttpStatusTable.status(Outcome.error(JsonRpcError.RATE_LIMITED, null, 1), stateless, true))
                    .isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        }
        assertThat(HttpStatusTable.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(HttpStatusTable.retryAfterSeconds(1_000)).isEqualTo(1);
        assertThat(HttpStatusTable.retryAfterSeconds(1_001)).isEqualTo(2);
        assertThat(HttpStatusTable.retryAfterSeconds(-1)).isEqualTo(1);
    }
}

package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a request's params carry besides the caller's, in each era, written without copying the caller's maps. */
class RequestParamsTest {

    private static final RequestParams STATELESS = RequestParams.stateless("2026-07-28",
            Map.of("elicitation", Map.of()), Map.of("name", "t", "version", "1"));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> paramsOf(RequestParams rp, Map<String, ?> params, Long token, String level)
            throws Exception {
        JsonRpcWriter.Body body = rp.completing(params, token, level);
        ByteBuf out = body != null ? ClientMessages.request(UnpooledByteBufAllocator.DEFAULT, 9, "tools/call", body)
                : ClientMessages.request(UnpooledByteBufAllocator.DEFAULT, 9, "tools/call", (Object) params);
        try {
            Map<String, Object> message = (Map<String, Object>) JsonTree.parse(out.toString(StandardCharsets.UTF_8));
            return (Map<String, Object>) message.get("params");
        } finally {
            out.release();
        }
    }

    @Test
    void aSessionsRequestGoesAsItIsUnlessProgressIsWanted() throws Exception {
        Map<String, Object> params = Map.of("name", "echo", "_meta", Map.of("k", 1));
        assertNull(RequestParams.stateful().completing(params, null, "debug"));
        assertEquals(Map.of("name", "echo", "_meta", Map.of("k", 1L)), paramsOf(RequestParams.stateful(), params, null, null));
        assertEquals(Map.of("name", "echo", "_meta", Map.of("k", 1L, "progressToken", 9L)),
                paramsOf(RequestParams.stateful(), params, 9L, "debug"));
        assertEquals(Map.of("_meta", Map.of("progressToken", 3L)), paramsOf(RequestParams.stateful(), null, 3L, null));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStatelessRequestCarriesWhatTheHandshakeWouldHaveSaidAndTheCallersEntriesWin() throws Exception {
        Map<String, Object> callers = new LinkedHashMap<>();
        callers.put("io.modelcontextprotocol/logLevel", "error");
        callers.put("progressToken", "mine");
        callers.put("x", Map.of("y", true));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "echo");
        params.put("_meta", callers);
        params.put("arguments", Map.of("a", 1));
        Map<String, Object> sent = paramsOf(STATELESS, params, 7L, "debug");
        assertEquals("echo", sent.get("name"));
        assertEquals(Map.of("a", 1L), sent.get("arguments"));
        Map<String, Object> meta = (Map<String, Object>) sent.get("_meta");
        assertEquals("2026-07-28", meta.get("io.modelcontextprotocol/protocolVersion"));
        assertEquals(Map.of("elicitation", Map.of()), meta.get("io.modelcontextprotocol/clientCapabilities"));
        assertEquals(Map.of("name", "t", "version", "1"), meta.get("io.modelcontextprotocol/clientInfo"));
        assertEquals("error", meta.get("io.modelcontextprotocol/logLevel"));
        assertEquals("mine", meta.get("progressToken"));
        assertEquals(Map.of("y", true), meta.get("x"));
        assertEquals(6, meta.size());
        // The caller's maps are left as they were.
        assertEquals(3, callers.size());
        assertEquals(3, params.size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMetaThatIsNotAnObjectIsReplacedByTheAdditions() throws Exception {
        Map<String, Object> sent = paramsOf(STATELESS, Map.of("_meta", "junk"), null, "info");
        Map<String, Object> meta = (Map<String, Object>) sent.get("_meta");
        assertEquals("info", meta.get("io.modelcontextprotocol/logLevel"));
        assertEquals(4, meta.size());
        assertEquals(1, sent.size());
    }
}

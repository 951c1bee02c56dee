package io.peregrine.client;

import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which results a relaying client keeps as bytes, and what it gives of them. */
class PlainToolResultTest {

    private static Object tree(String json) {
        try {
            return JsonTree.parse(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static PlainToolResult scan(String json) {
        return PlainToolResult.scan(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTextResultIsKeptAsItCame() {
        String content = "[{\"type\":\"text\",\"text\":\"h\\u00e9llo \\\"uri\\\" {[\",\"annotations\":{\"priority\":0.5}}]";
        PlainToolResult r = scan("{\"content\":" + content + "}");
        assertNotNull(r);
        CallToolResult.Relayed relayed = r.relayed();
        assertEquals(content, relayed.content().json());
        assertNull(relayed.structuredContent());
        assertNull(relayed.meta());
        assertFalse(relayed.isError());
        assertNull(r.get("isError"));
        assertNull(r.get("resultType"));
    }

    @Test
    void everyMemberIsFound() {
        PlainToolResult r = scan(" { \"isError\" : true , \"content\" : [ { \"type\" : \"image\", \"data\" : \"AA==\","
                + " \"mimeType\" : \"image/png\" } , {\"type\":\"audio\",\"data\":\"\",\"mimeType\":\"audio/wav\"} ] ,"
                + " \"structuredContent\" : {\"a\":[1,{\"b\":\"}\"}]}, \"_meta\":{\"k\":1}, \"resultType\":\"complete\","
                + " \"extra\": [\"ignored\"] } ");
        assertNotNull(r);
        CallToolResult.Relayed relayed = r.relayed();
        assertTrue(relayed.isError());
        assertEquals(Boolean.TRUE, r.get("isError"));
        assertEquals("complete", r.get("resultType"));
        assertEquals("{\"a\":[1,{\"b\":\"}\"}]}", relayed.structuredContent().json());
        assertEquals("{\"k\":1}", relayed.meta().json());
        assertEquals(2, ((List<?>) tree(relayed.content().json())).size());
    }

    @Test
    void theServersOwnInfoIsNotTheResultsMeta() {
        PlainToolResult r = scan("{\"content\":[],\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{\"name\":\"up\","
                + "\"version\":\"1\"}},\"isError\":false}");
        assertNotNull(r);
        assertNull(r.relayed().meta());
        assertEquals(Boolean.FALSE, r.get("isError"));
        // The tree still has everything the server sent.
        assertTrue(((Map<?, ?>) r.get("_meta")).containsKey("io.modelcontextprotocol/serverInfo"));
    }

    @Test
    void aNullStructuredContentIsNone() {
        PlainToolResult r = scan("{\"content\":[],\"structuredContent\":null}");
        assertNotNull(r);
        assertNull(r.relayed().structuredContent());
    }

    @Test
    void theTreeIsReadWhenAsked() {
        String json = "{\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"structuredContent\":{\"n\":2}}";
        PlainToolResult r = scan(json);
        assertEquals(tree(json), Map.copyOf(r));
        assertEquals("x", new CallToolResult(r).text());
        assertEquals(tree("{\"n\":2}"), new CallToolResult(r).structuredContent());
    }

    @Test
    void lineBreaksNeverGoOutInTheRelayedBytes() {
        PlainToolResult r = scan("{\"content\":[\n{\"type\":\"text\",\r\n\"text\":\"a\"}\n]}");
        assertNotNull(r);
        assertEquals("[{\"type\":\"text\",\"text\":\"a\"}]", r.relayed().content().json());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"content\":[{\"type\":\"resource_link\",\"uri\":\"file:///a\",\"name\":\"a\"}]}",
            "{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"resource\",\"resource\":{\"uri\":\"x:y\",\"text\":\"\"}}]}",
            "{\"content\":[{\"type\":\"video\"}]}",
            "{\"content\":[{\"text\":\"no type\"}]}",
            "{\"content\":[{\"ty\\u0070e\":\"text\",\"text\":\"escaped name\"}]}",
            "{\"content\":[\"text\"]}",
            "{\"content\":{}}",
            "{\"structuredContent\":{}}",
            "{}",
            "{\"content\":[],\"isError\":\"yes\"}",
            "{\"content\":[],\"resultType\":\"input_required\",\"inputRequests\":{}}",
            "{\"content\":[],\"resultType\":\"task\"}",
            "{\"cont\\u0065nt\":[]}",
            "{\"content\":[],\"_meta\":[]}",
            "{\"content\":[]} {}",
            "{\"content\":[]",
            "{\"content\":[{\"type\":\"text\",\"text\":\"a\"}",
            "[]",
            "\"content\"",
    })
    void anythingElseIsReadAsATree(String json) {
        assertNull(scan(json), json);
    }
}

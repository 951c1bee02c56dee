package io.peregrine.tool;

import io.peregrine.Peregrine;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a handler reads of its arguments through the plain-Java accessors, as the server hands
 * them over from a real call: nested values, objects and arrays as trees, and the raw JSON bytes.
 */
class ToolArgumentsTest {

    private static Peregrine server;
    private static LineSocket client;

    @BeforeAll
    static void start() throws Exception {
        server = Peregrine.builder().tcp("127.0.0.1", 0)
                .tool(Tool.builder("inspect").blocking(false).validateArguments(false)
                        .handler((args, ctx) -> {
                            Map<String, Object> seen = new LinkedHashMap<>();
                            seen.put("value", args.value("nested"));
                            seen.put("object", args.object("nested"));
                            seen.put("list", args.list("items"));
                            seen.put("absent", args.value("absent"));
                            seen.put("stream", new String(args.jsonStream().readAllBytes(), StandardCharsets.UTF_8));
                            seen.put("json", args.json());
                            try {
                                args.list("nested");
                                seen.put("wrongType", "accepted");
                            } catch (InvalidArgumentsException e) {
                                seen.put("wrongType", e.getMessage());
                            }
                            return ToolResult.builder().structured(seen).build();
                        })
                        .build())
                .build();
        client = new LineSocket(server.start().tcp());
        client.initialize("2025-11-25");
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        server.close();
    }

    @Test
    void nestedValuesComeAsTreesOfPlainValues() throws IOException {
        Map<String, Object> r = call("{\"nested\":{\"a\":[1,2.5,\"x\",true,null]},\"items\":[{\"k\":\"v\"}]}");
        assertThat(at(r, "value")).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, 2.5, "x", true, null)));
        assertThat(at(r, "object")).isEqualTo(at(r, "value"));
        assertThat(at(r, "list")).isEqualTo(List.of(Map.of("k", "v")));
        assertThat(at(r, "absent")).isNull();
        assertThat(at(r, "wrongType")).isEqualTo("argument \"nested\" must be an array");
    }

    @Test
    void theRawArgumentsReadAsTheyArrived() throws IOException {
        String arguments = "{\"nested\":{},\"items\":[]}";
        Map<String, Object> r = call(arguments);
        assertThat(at(r, "stream")).isEqualTo(arguments);
        assertThat(at(r, "json")).isEqualTo(arguments);
    }

    @Test
    void noArgumentsReadAsAnEmptyObject() throws IOException {
        Map<String, Object> r = call(null);
        assertThat(at(r, "stream")).isEqualTo("{}");
        assertThat(at(r, "value")).isNull();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> call(String arguments) throws IOException {
        Map<String, Object> response = client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"inspect\"" + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}}");
        assertThat(response).as(JsonTree.toJson(response)).containsKey("result");
        return (Map<String, Object>) at(response, "result.structuredContent");
    }
}

package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.peregrine.rpc.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arguments of a call read on a thread whose reusable parser has read other documents before,
 * as on the worker threads that run blocking tools (the gateway's forwarded calls read them whole).
 */
class ByteBufToolArgumentsTest {

    private static ByteBufToolArguments arguments(String json) {
        return new ByteBufToolArguments(Json.DEFAULT, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    }

    @Test
    void asMapReadsEachCallsArgumentsAfterOthersOnTheSameThread() throws Exception {
        List<String> documents = List.of("{\"path\":\"gateway.md\",\"length\":64}", "{}",
                "{\"nested\":{\"a\":[1,2,{\"b\":null}]},\"s\":\"x\"}", "{\"path\":\"deployment.md\"}");
        for (int round = 0; round < 3; round++) {
            for (String document : documents) {
                ByteBufToolArguments args = arguments(document);
                // Another accessor first, as a tool that reads one member and then the whole would.
                args.has("path");
                Map<String, Object> map = args.asMap();
                assertThat(io.peregrine.rpc.JsonTree.toJson(map)).as("round %d", round)
                        .isEqualTo(document);
            }
        }
    }

    @Test
    void asMapLeavesTheBufferAsItWas() throws Exception {
        ByteBuf raw = Unpooled.copiedBuffer("{\"message\":\"fleet\"}", StandardCharsets.UTF_8);
        ByteBufToolArguments args = new ByteBufToolArguments(Json.DEFAULT, raw);
        assertThat(args.asMap()).containsExactly(Map.entry("message", "fleet"));
        assertThat(args.asMap()).containsExactly(Map.entry("message", "fleet"));
        assertThat(raw.readerIndex()).isZero();
        assertThat(args.json()).isEqualTo("{\"message\":\"fleet\"}");
    }
}

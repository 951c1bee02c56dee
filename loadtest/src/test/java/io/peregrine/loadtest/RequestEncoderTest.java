package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator's requests, with and without a credential in the messages (MCP over TCP). */
class RequestEncoderTest {

    private static String text(Function<ByteBufAllocator, ByteBuf> encode) {
        ByteBuf b = encode.apply(ByteBufAllocator.DEFAULT);
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }

    @Test
    void aSessionCarriesTheCredentialInItsInitializeOnly() {
        RequestEncoder e = new RequestEncoder(Era.V2025_11_25, "echo", 3, true, "Bearer k");
        assertThat(text(e::initialize)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"peregrine-load\","
                + "\"version\":\"1\"},\"_meta\":{\"io.peregrine/authorization\":\"Bearer k\"}}}\n");
        assertThat(text(a -> e.toolCall(a, 7))).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"xxx\"}}}\n");
    }

    @Test
    void theStatelessEraCarriesItInEveryCallBesideTheVersion() {
        RequestEncoder e = new RequestEncoder(Era.V2026_07_28, "echo", 1, false, "Bearer k");
        assertThat(text(a -> e.toolCall(a, 1))).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"x\"},\"_meta\":{\"io.peregrine/authorization\":"
                + "\"Bearer k\",\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    }

    @Test
    void withoutACredentialNothingIsAdded() {
        assertThat(text(new RequestEncoder(Era.V2025_11_25, "echo", 1, true, null)::initialize)).doesNotContain("_meta");
        assertThat(text(a -> new RequestEncoder(Era.V2026_07_28, "echo", 1, true, null).toolCall(a, 1)))
                .contains("\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",")
                .doesNotContain("authorization");
    }
}

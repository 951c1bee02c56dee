package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonRpcWriterTest {

    private final JsonRpcWriter writer = new JsonRpcWriter(Json.DEFAULT);

    @Test
    void anErrorWhoseDataCannotBeWrittenIsAnsweredWithoutItAndLeaksNothing() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        ByteBuf out = writer.error(alloc, RequestId.of(7), JsonRpcError.INVALID_PARAMS, "Invalid params: x",
                Map.of("detail", new Object()));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32602,\"message\":\"Invalid params: x\"}}");
        out.release();
        assertThat(alloc.metric().usedHeapMemory()).as("bytes still held").isZero();
    }

    @Test
    void aResultThatThrowsBecomesAnInternalErrorAndLeaksNothing() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        ByteBuf out = writer.result(alloc, RequestId.of("a"), g -> {
            g.writeStartObject();
            throw new IllegalStateException("half written");
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"code\":-32603,")
                .contains("half written");
        out.release();
        assertThat(alloc.metric().usedHeapMemory()).as("bytes still held").isZero();
    }
}

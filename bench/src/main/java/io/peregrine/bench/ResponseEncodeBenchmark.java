package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.RequestId;
import io.peregrine.tool.ToolResult;
import io.peregrine.tool.internal.ToolJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.nio.charset.StandardCharsets;

/**
 * Encoding the response of one {@code echo} call, {@code {"jsonrpc":"2.0","id":42,"result":
 * {"content":[{"type":"text","text":…}]}}}, with the thread's reusable generator straight into a
 * buffer from the allocator, which is then released. The {@link ToolResult} is built once: what
 * is measured is the encoding and the buffer, not the tool.
 *
 * <p>{@code allocator}: {@code adaptive} is Netty 4.2's default, the one every Peregrine channel
 * uses; {@code pooled} is {@link PooledByteBufAllocator}, for comparison.
 *
 * <pre>{@code
 *   bench/run ResponseEncodeBenchmark
 *   bench/run ResponseEncodeBenchmark -p payload=100 -p allocator=adaptive
 * }</pre>
 */
public class ResponseEncodeBenchmark extends AbstractBenchmark {

    /** Size of the echoed text in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    @Param({"adaptive", "pooled"})
    public String allocator;

    private ByteBufAllocator alloc;
    private JsonRpcWriter writer;
    private RequestId id;
    private JsonRpcWriter.Body body;

    @Setup
    public void setUp() {
        alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT;
        writer = new JsonRpcWriter(Json.DEFAULT);
        id = RequestId.of(REQUEST_ID);
        String text = message(payload);
        ToolResult result = ToolResult.text(text);
        body = g -> {
            g.writeStartObject();
            ToolJson.writeResultFields(result, g);
            g.writeEndObject();
        };

        ByteBuf out = writer.result(alloc, id, body);
        try {
            String expected = "{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                    + text + "\"}]}}";
            String actual = out.toString(StandardCharsets.UTF_8);
            if (!actual.equals(expected)) {
                throw new IllegalStateException("unexpected encoding: " + abbreviate(actual));
            }
        } finally {
            out.release();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    @Benchmark
    public int encode() {
        ByteBuf out = writer.result(alloc, id, body);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}

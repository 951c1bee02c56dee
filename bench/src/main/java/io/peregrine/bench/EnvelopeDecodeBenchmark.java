package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.peregrine.rpc.EnvelopeDecoder;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Decoding the JSON-RPC envelope of one {@code tools/call} frame: {@code jsonrpc}, {@code id} and
 * {@code method} are read, {@code params} is tokenized and handed on as a slice of the frame. The
 * frame is a heap buffer holding one line without its line end, as the TCP framing passes it on.
 * Each operation decodes the frame and releases the message.
 *
 * <p>This is the plain decoder, without the server's params reader, which also picks out
 * {@code name}, {@code arguments} and {@code _meta} in the same pass; {@link ToolsCallBenchmark}
 * measures that as part of the whole path.
 *
 * <pre>{@code
 *   bench/run EnvelopeDecodeBenchmark
 *   bench/run EnvelopeDecodeBenchmark -p payload=100
 * }</pre>
 */
public class EnvelopeDecodeBenchmark extends AbstractBenchmark {

    /** Size of the {@code message} argument in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    private EnvelopeDecoder decoder;
    private ByteBuf frame;

    @Setup
    public void setUp() {
        decoder = new EnvelopeDecoder(Json.DEFAULT, new KnownStrings(METHOD_NAMES));
        byte[] bytes = utf8(toolsCallJson(message(payload), false));
        frame = Unpooled.unreleasableBuffer(Unpooled.buffer(bytes.length, bytes.length).writeBytes(bytes));

        Object decoded = decoder.decode(frame);
        if (!(decoded instanceof RpcMessage)) {
            throw new IllegalStateException("the frame did not decode to a message: " + decoded);
        }
        RpcMessage m = (RpcMessage) decoded;
        try {
            int paramsLength = bytes.length - "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":".length() - 1;
            if (!m.isRequest() || !"tools/call".equals(m.method()) || !RequestId.of(REQUEST_ID).equals(m.id())
                    || m.params() == null || m.params().readableBytes() != paramsLength) {
                throw new IllegalStateException("unexpected decode: " + m + ", params "
                        + (m.params() == null ? "missing" : m.params().readableBytes() + " bytes"));
            }
            if (frame.readerIndex() != 0) {
                throw new IllegalStateException("decode moved the frame's reader index");
            }
        } finally {
            m.release();
        }
    }

    @Benchmark
    public Object decode() {
        Object decoded = decoder.decode(frame);
        ((RpcMessage) decoded).release();
        return decoded;
    }
}

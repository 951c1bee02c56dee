package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;

/**
 * One {@code tools/call} of the non-blocking {@code echo} tool through the whole server path of a
 * TCP connection, on an {@link EmbeddedChannel}: line framing, envelope decode, era resolution,
 * argument validation (when on), dispatch, the handler, response encoding and the write.
 *
 * <p>Run: {@code bench/run ToolsCallBenchmark} (add {@code -p payload=100} to narrow it down).
 */
public class ToolsCallBenchmark extends AbstractBenchmark {

    /** Size of the echoed message in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    /** Whether arguments are checked against the tool's JSON Schema. */
    @Param({"false", "true"})
    public boolean validation;

    /** The protocol era of the request: a 2025 session or a stateless 2026-07-28 request. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    private EmbeddedChannel channel;
    private ByteBuf request;
    private ToolExecutor executor;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, validation));
        core.tools().add(EchoTool.create());
        channel = new EmbeddedChannel(new NdjsonFrameDecoder(1 << 20), new TcpServerHandler(core, "tcp"));
        String meta = "";
        if (era.equals("2025-11-25")) {
            exchange("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n");
            channel.writeInbound(Unpooled.copiedBuffer("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n",
                    StandardCharsets.UTF_8));
        } else {
            meta = ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{},"
                    + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}";
        }
        String message = "x".repeat(payload);
        String line = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + message + "\"}" + meta + "}}\n";
        request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(line.length()).writeBytes(
                line.getBytes(StandardCharsets.UTF_8)));
        String response = exchange(line);
        if (!response.contains("\"text\":\"" + message + "\"") || !response.contains("\"id\":42")) {
            throw new IllegalStateException("echo did not answer as expected: " + response);
        }
    }

    private String exchange(String line) {
        channel.writeInbound(Unpooled.copiedBuffer(line, StandardCharsets.UTF_8));
        ByteBuf out = channel.readOutbound();
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    /**
     * The reference for the same run: the same framing and channel, with a handler that answers
     * each line with a pre-encoded response of the same size without reading it. What
     * {@link #toolsCall()} costs above this is Peregrine's own work.
     */
    @Benchmark
    public int rawEcho(RawEcho raw) {
        raw.channel.writeInbound(raw.request.duplicate());
        ByteBuf out = raw.channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int toolsCall() {
        channel.writeInbound(request.duplicate());
        ByteBuf out = channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /** The framing-only reference pipeline. */
    @org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class RawEcho {
        EmbeddedChannel channel;
        ByteBuf request;

        @Setup
        public void setUp(ToolsCallBenchmark bench) {
            ByteBuf response = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                    ("{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                            + "x".repeat(bench.payload) + "\"}]}}\n").getBytes(StandardCharsets.UTF_8)));
            channel = new EmbeddedChannel(new NdjsonFrameDecoder(1 << 20), new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.write(response.duplicate(), ctx.voidPromise());
                }

                @Override
                public void channelReadComplete(io.netty.channel.ChannelHandlerContext ctx) {
                    ctx.flush();
                }
            });
            request = bench.request;
        }

        @TearDown
        public void tearDown() {
            channel.finishAndReleaseAll();
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        executor.close();
    }
}

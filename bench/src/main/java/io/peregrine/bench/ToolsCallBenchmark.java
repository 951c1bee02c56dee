package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One {@code tools/call} of the non-blocking {@code echo} tool through the whole server path of a
 * TCP connection, on an {@link EmbeddedChannel} with the TCP pipeline (line framing, the
 * connection handler) in front of an {@link McpServer}: framing, envelope and params
 * decode, era resolution, argument validation (when on), dispatch, the handler, response encoding
 * and the write.
 *
 * <p>Each operation delivers one request line as one socket read would: the line is copied into a
 * direct buffer from the channel's allocator (the read buffer, allocated per read as the NIO
 * transport does), passed down the pipeline with {@code channelRead} and {@code channelReadComplete},
 * and the event loop's pending tasks are run. The operation then takes the one response buffer
 * from the outbound side and releases it. Setup checks that the response is the expected echo, so
 * the benchmark cannot measure an error path unnoticed; teardown checks it again.
 *
 * <p>Why not a retained duplicate of a pre-built buffer: copying a line out of a pooled duplicate
 * goes through {@code nioBuffer()} and allocates about 180 B of NIO wrappers per operation that a
 * real read buffer (an {@code AdaptiveByteBuf}, copied buffer to buffer) does not, and
 * {@code EmbeddedChannel.writeInbound(Object...)} adds a varargs array. Neither is the server's cost.
 *
 * <ul>
 *   <li>{@code era} {@code 2025-11-25}: the connection was initialized ({@code initialize} and
 *   {@code notifications/initialized}) in setup; requests carry no {@code _meta}.</li>
 *   <li>{@code era} {@code 2026-07-28}: no handshake; each request carries its protocol version,
 *   client capabilities and client info in {@code _meta}, and each result carries
 *   {@code resultType} and {@code _meta.serverInfo}.</li>
 * </ul>
 *
 * <p>{@link #rawEcho} is the reference for the same parameters: the same framing and channel, with
 * a handler that answers each line with a pre-encoded response of the same size without reading
 * it. What {@link #toolsCall} costs above it is Peregrine's own work.
 *
 * <pre>{@code
 *   bench/run ToolsCallBenchmark
 *   bench/run ToolsCallBenchmark.toolsCall -p payload=100 -p era=2025-11-25
 * }</pre>
 */
public class ToolsCallBenchmark extends AbstractBenchmark {

    /** The TCP listener's default line limit. */
    private static final int MAX_LINE = 4 * 1024 * 1024;

    /** Size of the echoed message in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    /** Whether arguments are checked against the tool's JSON Schema. */
    @Param({"false", "true"})
    public boolean validation;

    /** The protocol era: an initialized 2025-11-25 connection, or stateless 2026-07-28 requests. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    private ToolExecutor executor;
    private EmbeddedChannel channel;
    private byte[] request;
    private String message;

    @Setup
    public void setUp() throws IOException {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, validation));
        core.tools().add(EchoTool.create());
        channel = tcpChannel(new TcpServerHandler(core));

        boolean stateless = era.equals("2026-07-28");
        if (!stateless) {
            Map<?, ?> init = exchange("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
            Object negotiated = init.get("result") instanceof Map
                    ? ((Map<?, ?>) init.get("result")).get("protocolVersion") : null;
            if (!"2025-11-25".equals(negotiated)) {
                throw new IllegalStateException("initialize failed: " + init);
            }
            deliver(channel, read(channel, utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")));
            channel.checkException();
            expectNoMoreOutbound();
        } else if (!era.equals("2026-07-28")) {
            throw new IllegalArgumentException("era: " + era);
        }

        message = message(payload);
        request = utf8(toolsCallJson(message, stateless) + "\n");
        checkEcho(exchange(read(channel, request)));
    }

    /**
     * The TCP pipeline: line framing, then {@code last}, as {@code TcpServerInitializer} builds it
     * (keep the two in step).
     */
    static EmbeddedChannel tcpChannel(ChannelHandler last) {
        return new EmbeddedChannel(new NdjsonFrameDecoder(MAX_LINE), last);
    }

    /** {@code bytes} in a read buffer of the channel: a direct buffer from its allocator. */
    static ByteBuf read(EmbeddedChannel channel, byte[] bytes) {
        return channel.alloc().directBuffer(bytes.length).writeBytes(bytes);
    }

    /** What the event loop does with one read: deliver it, complete the read, run the tasks. */
    static void deliver(EmbeddedChannel channel, ByteBuf read) {
        ChannelPipeline p = channel.pipeline();
        p.fireChannelRead(read);
        p.fireChannelReadComplete();
        channel.runPendingTasks();
    }

    private Map<?, ?> exchange(String json) throws IOException {
        return exchange(read(channel, utf8(json + "\n")));
    }

    /** Delivers {@code in} (releasing it), and returns the one response, parsed. */
    private Map<?, ?> exchange(ByteBuf in) throws IOException {
        deliver(channel, in);
        channel.checkException();
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            throw new IllegalStateException("no response");
        }
        String text;
        try {
            text = out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
        expectNoMoreOutbound();
        if (!text.endsWith("\n") || text.indexOf('\n') != text.length() - 1) {
            throw new IllegalStateException("the response is not one line: " + abbreviate(text));
        }
        Object parsed = JsonTree.parse(text);
        if (!(parsed instanceof Map)) {
            throw new IllegalStateException("the response is not an object: " + abbreviate(text));
        }
        return (Map<?, ?>) parsed;
    }

    private void expectNoMoreOutbound() {
        Object extra = channel.readOutbound();
        if (extra != null) {
            ReferenceCountUtil.release(extra);
            throw new IllegalStateException("unexpected extra output: " + extra);
        }
    }

    /** Throws unless {@code response} is the successful echo of {@link #message}. */
    private void checkEcho(Map<?, ?> response) {
        Object id = response.get("id");
        Object result = response.get("result");
        boolean ok = id instanceof Number && ((Number) id).intValue() == REQUEST_ID && result instanceof Map;
        if (ok) {
            Map<?, ?> r = (Map<?, ?>) result;
            Object content = r.get("content");
            ok = r.get("isError") == null
                    && content instanceof List && ((List<?>) content).size() == 1
                    && ((List<?>) content).get(0) instanceof Map
                    && "text".equals(((Map<?, ?>) ((List<?>) content).get(0)).get("type"))
                    && message.equals(((Map<?, ?>) ((List<?>) content).get(0)).get("text"));
            if (era.equals("2026-07-28")) {
                ok &= "complete".equals(r.get("resultType")) && r.get("_meta") instanceof Map
                        && ((Map<?, ?>) r.get("_meta")).get("io.modelcontextprotocol/serverInfo") != null;
            }
        }
        if (!ok) {
            throw new IllegalStateException("tools/call did not answer with the echo: "
                    + abbreviate(String.valueOf(response)));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "…";
    }

    @Benchmark
    public int toolsCall() {
        deliver(channel, read(channel, request));
        ByteBuf out = channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int rawEcho(RawEcho raw) {
        deliver(raw.channel, read(raw.channel, request));
        ByteBuf out = raw.channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @TearDown
    public void tearDown() throws IOException {
        try {
            checkEcho(exchange(read(channel, request)));
        } finally {
            channel.finishAndReleaseAll();
            executor.close();
        }
    }

    /**
     * The reference pipeline: the same channel and framing, and a handler that
     * releases each line and writes a pre-encoded response of the echo's size.
     */
    @State(Scope.Thread)
    public static class RawEcho {
        EmbeddedChannel channel;
        ByteBuf response;

        @Setup
        public void setUp(ToolsCallBenchmark bench) {
            byte[] bytes = utf8("{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                    + message(bench.payload) + "\"}]}}\n");
            response = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            channel = tcpChannel(new ChannelInboundHandlerAdapter() {
                private boolean flushPending;

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.write(response.retainedDuplicate(), ctx.voidPromise());
                    flushPending = true;
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    if (flushPending) {
                        flushPending = false;
                        ctx.flush();
                    }
                    ctx.fireChannelReadComplete();
                }
            });
        }

        @TearDown
        public void tearDown() {
            channel.finishAndReleaseAll();
            response.release();
        }
    }
}

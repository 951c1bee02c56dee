package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.transport.ws.WebSocketFrameHandler;
import io.peregrine.transport.ws.WebSocketSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One {@code tools/call} of {@code echo} through the server path of a WebSocket session, on an
 * {@link EmbeddedChannel}: Netty's frame decoder (unmasking a client frame), the frame aggregator,
 * Peregrine's frame handler, the MCP server, and the frame encoder. Setup performs a real upgrade
 * ({@code GET /mcp}, subprotocol {@code mcp}) through {@code HttpServerCodec} and
 * {@code WebSocketServerProtocolHandler}, so the pipeline measured is the one the handshake
 * leaves; the server's HTTP-side handlers that only pass frames on (health, origin check, path
 * alias, Streamable HTTP) are not in front of it here. Validation of the arguments is off.
 *
 * <p>Each operation delivers one masked text frame, pre-encoded as a client sends it, in a direct
 * read buffer, and takes and releases the one encoded frame written. Setup checks that the answer
 * is the echo.
 *
 * <pre>{@code
 *   bench/run WebSocketToolsCallBenchmark
 *   bench/run WebSocketToolsCallBenchmark -p payload=100
 * }</pre>
 */
public class WebSocketToolsCallBenchmark extends AbstractBenchmark {

    private static final int MAX_MESSAGE = 4 * 1024 * 1024;

    /** Size of the echoed message in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    /** The protocol era: an initialized 2025-11-25 session, or stateless 2026-07-28 requests. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    private ToolExecutor executor;
    private EmbeddedChannel channel;
    private byte[] frame;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        WebSocketSettings settings = new WebSocketSettings("/mcp", MAX_MESSAGE, MAX_MESSAGE, 0, 0, false, () -> true,
                List.of());
        channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath("/mcp").subprotocols("mcp").maxFramePayloadLength(MAX_MESSAGE).build()),
                new WebSocketFrameAggregator(MAX_MESSAGE),
                new WebSocketFrameHandler(core, settings));
        upgrade();

        boolean stateless = era.equals("2026-07-28");
        if (!stateless) {
            String init = exchange(clientFrame("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}"));
            if (!init.contains("\"protocolVersion\":\"2025-11-25\"")) {
                throw new IllegalStateException("initialize failed: " + init);
            }
            ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel,
                    clientFrame("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")));
            channel.checkException();
        } else if (!era.equals("2026-07-28")) {
            throw new IllegalArgumentException("era: " + era);
        }
        String message = message(payload);
        frame = clientFrame(toolsCallJson(message, stateless));
        String answer = exchange(frame);
        if (!answer.contains("\"id\":" + REQUEST_ID) || !answer.contains("\"text\":\"" + message + "\"")
                || answer.contains("\"isError\":true")) {
            throw new IllegalStateException("tools/call did not answer with the echo: "
                    + answer.substring(0, Math.min(300, answer.length())));
        }
    }

    private void upgrade() {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/mcp");
        req.headers().set(HttpHeaderNames.HOST, "127.0.0.1")
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13")
                .set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "mcp");
        // As bytes, through the server's HTTP decoder.
        EmbeddedChannel encoder = new EmbeddedChannel(new io.netty.handler.codec.http.HttpRequestEncoder());
        encoder.writeOutbound(req);
        ByteBuf bytes = encoder.readOutbound();
        encoder.finishAndReleaseAll();
        ToolsCallBenchmark.deliver(channel, bytes);
        channel.checkException();
        Object out = channel.readOutbound();
        try {
            if (!(out instanceof ByteBuf) || !((ByteBuf) out).toString(StandardCharsets.US_ASCII)
                    .startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("the upgrade failed: " + out);
            }
        } finally {
            ReferenceCountUtil.release(out);
        }
        for (Object extra; (extra = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(extra);
        }
    }

    /** {@code json} as a client sends it: one masked text frame, encoded. */
    private static byte[] clientFrame(String json) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
        client.writeOutbound(new TextWebSocketFrame(json));
        ByteBuf encoded = client.readOutbound();
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        encoded.release();
        // A large frame may be written as a header and a payload buffer.
        for (ByteBuf more; (more = client.readOutbound()) != null; ) {
            byte[] joined = new byte[bytes.length + more.readableBytes()];
            System.arraycopy(bytes, 0, joined, 0, bytes.length);
            more.readBytes(joined, bytes.length, more.readableBytes());
            more.release();
            bytes = joined;
        }
        client.finishAndReleaseAll();
        return bytes;
    }

    /** Delivers a frame and decodes the text of the one frame written in answer. */
    private String exchange(byte[] clientFrame) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, clientFrame));
        channel.checkException();
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(MAX_MESSAGE).build()), new WebSocketFrameAggregator(MAX_MESSAGE));
        for (Object out; (out = channel.readOutbound()) != null; ) {
            client.writeInbound(out);
        }
        TextWebSocketFrame answer = client.readInbound();
        if (answer == null) {
            throw new IllegalStateException("no answer");
        }
        try {
            return answer.text();
        } finally {
            answer.release();
            client.finishAndReleaseAll();
        }
    }

    @Benchmark
    public int toolsCall() {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, frame));
        int n = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            n += ((ByteBuf) out).readableBytes();
            ((ByteBuf) out).release();
        }
        return n;
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        executor.close();
    }
}

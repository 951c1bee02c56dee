package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.bench.AbstractBenchmark;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's side of one {@code tools/call} of {@code echo}, per transport framing, on an
 * {@link EmbeddedChannel}: the request's params completed ({@code _meta} in 2026-07-28) and
 * encoded into a pooled buffer, framed and written out (a line; a masked WebSocket text frame;
 * an HTTP/1.1 POST with the headers the Streamable HTTP link sends), then the server's answer,
 * pre-encoded as the server frames it, read back in (the line decoder; Netty's frame decoder and
 * aggregator; Netty's HTTP client codec and aggregator) and handed to the client's dispatcher,
 * which decodes the envelope, reads the result into a JSON tree and completes the pending request.
 * Not measured: the event loop hop from the calling thread, the HTTP connection pool and the SSE
 * decoder (a plain JSON answer takes neither).
 *
 * <p>Lives in {@code io.peregrine.client} (a package split across the server and bench modules on
 * the class path) to reach the client's package-private encoder and dispatcher.
 *
 * <pre>{@code
 *   bench/run ClientFramingBenchmark
 *   bench/run ClientFramingBenchmark -p framing=http -p era=2026-07-28
 *   bench/run ClientFramingBenchmark -p framing=tcp -p relay=false,true
 * }</pre>
 */
public class ClientFramingBenchmark extends AbstractBenchmark {

    private static final int MAX = 16 * 1024 * 1024;

    /** The transport framing: {@code tcp} (also stdio's), {@code ws}, {@code http}. */
    @Param({"tcp", "ws", "http"})
    public String framing;

    /** The protocol era: 2025-11-25 sends params as they are; 2026-07-28 adds the per-request {@code _meta}. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    /** Size of the echoed message in bytes. */
    @Param({"100", "1024"})
    public int payload;

    /**
     * Whether the client relays results ({@code PeregrineClient.Builder.relayResults}, as the
     * gateway's links do): the response is then read by a scan and its result kept as bytes.
     */
    @Param({"false"})
    public boolean relay;

    private PendingRequests pending;
    private InboundDispatcher dispatcher;
    private EmbeddedChannel channel;
    private RequestParams requestParams;
    private Map<String, Object> params;
    private byte[] answer;

    @Setup
    public void setUp() throws Exception {
        pending = new PendingRequests(abandoned -> { });
        ServerRequestHandlers handlers = new ServerRequestHandlers.Builder().build();
        dispatcher = new InboundDispatcher(PooledByteBufAllocator.DEFAULT, pending, handlers, new CallScopes(pending), (m, p) -> { },
                reply -> reply.body().release(), relay);
        requestParams = era.equals("2026-07-28")
                ? RequestParams.stateless(era, handlers.capabilities(), Map.of("name", "bench", "version", "1"))
                : RequestParams.stateful();
        String text = message(payload);
        params = new LinkedHashMap<>();
        params.put("name", "echo");
        params.put("arguments", Map.of("message", text));
        byte[] json = utf8("{\"jsonrpc\":\"2.0\",\"id\":" + REQUEST_ID + ",\"result\":{\"content\":[{\"type\":\"text\","
                + "\"text\":\"" + text + "\"}]" + (era.equals("2026-07-28") ? ",\"resultType\":\"complete\"" : "") + "}}");
        ChannelInboundHandlerAdapter deliver = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf content = msg instanceof ByteBuf ? (ByteBuf) msg
                        : msg instanceof TextWebSocketFrame ? ((TextWebSocketFrame) msg).content().retain()
                        : ((FullHttpResponse) msg).content().retain();
                if (!(msg instanceof ByteBuf)) {
                    ReferenceCountUtil.release(msg);
                }
                dispatcher.onMessage(content);
            }
        };
        switch (framing) {
            case "tcp":
                channel = new EmbeddedChannel(new NdjsonFrameDecoder(MAX), deliver);
                answer = concat(json, new byte[] {'\n'});
                break;
            case "ws":
                channel = new EmbeddedChannel(new WebSocket13FrameEncoder(true),
                        new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false)
                                .maxFramePayloadLength(MAX).build()),
                        new WebSocketFrameAggregator(MAX), deliver);
                answer = serverTextFrame(json);
                break;
            default:
                channel = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(MAX), deliver);
                answer = concat(utf8("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                        + json.length + "\r\n\r\n"), json);
                break;
        }
        CallToolResult check = new CallToolResult(call());
        if (!text.equals(check.text())) {
            throw new IllegalStateException("the answer read back is not the echo: " + check);
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public Map<String, Object> call() {
        io.peregrine.rpc.JsonRpcWriter.Body completed = requestParams.completing(params, null, null);
        ByteBuf request = completed != null
                ? ClientMessages.request(PooledByteBufAllocator.DEFAULT, REQUEST_ID, "tools/call", completed)
                : ClientMessages.request(PooledByteBufAllocator.DEFAULT, REQUEST_ID, "tools/call", (Object) params);
        switch (framing) {
            case "tcp":
                channel.writeOutbound(request.writeByte('\n'));
                break;
            case "ws":
                channel.writeOutbound(new TextWebSocketFrame(request));
                break;
            default:
                FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/mcp", request);
                post.headers().set(HttpHeaderNames.HOST, "127.0.0.1:7401")
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .set(HttpHeaderNames.ACCEPT, "application/json, text/event-stream")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, request.readableBytes())
                        .set("mcp-protocol-version", era);
                if (era.equals("2026-07-28")) {
                    post.headers().set("mcp-method", "tools/call").set("mcp-name", "echo");
                }
                channel.writeOutbound(post);
                break;
        }
        Object out;
        while ((out = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
        PendingRequest r = pending.add(REQUEST_ID, "tools/call", null);
        channel.writeInbound(Unpooled.wrappedBuffer(answer));
        return r.future().getNow(null);
    }

    private static byte[] serverTextFrame(byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(payload.length);
        } else if (payload.length < 65536) {
            f.write(126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
            }
        }
        f.writeBytes(payload);
        return f.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

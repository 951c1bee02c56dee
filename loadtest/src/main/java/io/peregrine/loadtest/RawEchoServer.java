package io.peregrine.loadtest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The reference for TCP load: the same framing as Peregrine, answering each line with a response
 * of the same shape and size as Peregrine's echo result, without parsing JSON beyond finding the
 * request's id. It moves the same bytes through the same Netty machinery, so it is the practical
 * limit that Peregrine is measured against.
 */
public final class RawEchoServer implements AutoCloseable {

    private static final byte[] ID_KEY = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INITIALIZE = "\"initialize\"".getBytes(StandardCharsets.US_ASCII);

    private final EventLoops loops;
    private final Channel serverChannel;

    private RawEchoServer(EventLoops loops, Channel serverChannel) {
        this.loops = loops;
        this.serverChannel = serverChannel;
    }

    /** Binds 127.0.0.1 on a free port; responses carry a text of {@code payload} bytes. */
    public static RawEchoServer start(int payload, int ioThreads) throws InterruptedException {
        return start(payload, ioThreads, false);
    }

    /** @param webSocket serve WebSocket text frames at {@code /mcp} instead of lines */
    public static RawEchoServer start(int payload, int ioThreads, boolean webSocket) throws InterruptedException {
        String end = webSocket ? "" : "\n";
        byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = (",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "x".repeat(payload) + "\"}]}}" + end)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] initTail = (",\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                + "\"serverInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}" + end).getBytes(StandardCharsets.US_ASCII);
        EventLoops loops = new EventLoops(ioThreads, "raw-echo");
        ServerBootstrap b = new ServerBootstrap().group(loops.boss(), loops.workers())
                .channel(loops.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (webSocket) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath("/mcp").subprotocols("mcp")
                                            .maxFramePayloadLength(16 * 1024 * 1024).build()),
                                    new WebSocketFrameAggregator(16 * 1024 * 1024), new Answerer(head, tail, initTail));
                        } else {
                            ch.pipeline().addLast(new NdjsonFrameDecoder(16 * 1024 * 1024), new Answerer(head, tail, initTail));
                        }
                    }
                });
        return new RawEchoServer(loops, b.bind("127.0.0.1", 0).sync().channel());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        loops.shutdown(2_000);
    }

    private static final class Answerer extends ChannelInboundHandlerAdapter {
        private final byte[] head;
        private final byte[] tail;
        private final byte[] initTail;

        Answerer(byte[] head, byte[] tail, byte[] initTail) {
            this.head = head;
            this.tail = tail;
            this.initTail = initTail;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean frame = msg instanceof TextWebSocketFrame;
            if (frame) {
                ByteBuf content = ((TextWebSocketFrame) msg).content().retain();
                ReferenceCountUtil.release(msg);
                msg = content;
            }
            if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf line = (ByteBuf) msg;
            try {
                int idStart = ByteSearch.indexAfter(line, ID_KEY);
                if (idStart < 0) {
                    return; // a notification: nothing to answer
                }
                int idEnd = idStart;
                while (idEnd < line.writerIndex() && line.getByte(idEnd) != ',' && line.getByte(idEnd) != '}') {
                    idEnd++;
                }
                boolean initialize = ByteSearch.indexAfter(line, INITIALIZE) >= 0;
                byte[] rest = initialize ? initTail : tail;
                ByteBuf out = ctx.alloc().buffer(head.length + (idEnd - idStart) + rest.length);
                out.writeBytes(head).writeBytes(line, idStart, idEnd - idStart).writeBytes(rest);
                ctx.write(frame ? new TextWebSocketFrame(out) : out, ctx.voidPromise());
            } finally {
                line.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}

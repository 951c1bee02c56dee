package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.peregrine.transport.EventLoops;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The practical limit that Peregrine is measured against: a Netty server with Peregrine's framing
 * and listener settings that answers each request with a pre-encoded response of exactly the size
 * and shape of Peregrine's {@code echo} result for the configured payload (and era). It reads
 * nothing of a request but its id, so whatever throughput separates the two is the cost of
 * Peregrine's JSON-RPC and MCP work, not of moving the bytes.
 *
 * <p>It answers {@code initialize} with a canned result, ignores notifications (messages without
 * an id), and answers every other request as if it were a {@code tools/call} of {@code echo}
 * with a message of {@code payloadBytes} letters {@code x}, which is what the generator sends.
 */
public final class RawEchoServer implements AutoCloseable {

    private final EventLoops loops;
    private final Channel serverChannel;

    private RawEchoServer(EventLoops loops, Channel serverChannel) {
        this.loops = loops;
        this.serverChannel = serverChannel;
    }

    /**
     * Starts listening on 127.0.0.1 on a free port.
     *
     * @param ioThreads I/O threads, as for Peregrine ({@code 0}: Netty's default)
     */
    public static RawEchoServer start(Transport transport, Era era, int payloadBytes, int ioThreads)
            throws InterruptedException {
        Objects.requireNonNull(transport, "transport");
        Answerer answerer = new Answerer(transport, era, payloadBytes);
        int maxMessageBytes = LoadSettings.maxMessageBytes(payloadBytes);
        EventLoops loops = new EventLoops(ioThreads, "raw-echo");
        try {
            // Peregrine's own listener options (backlog, TCP_NODELAY, write-buffer water marks).
            Channel channel = loops.serverBootstrap().childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    transport.addServerCodec(ch.pipeline(), era, maxMessageBytes, answerer);
                }
            }).bind("127.0.0.1", 0).sync().channel();
            return new RawEchoServer(loops, channel);
        } catch (InterruptedException | RuntimeException e) {
            loops.shutdown(2_000);
            throw e;
        }
    }

    /** Where it listens: 127.0.0.1 and the port it was given. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops listening, closes every connection and stops the threads. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        loops.shutdown(2_000);
    }

    /** Splices each request's id between two pre-encoded halves of the response. */
    @ChannelHandler.Sharable
    private static final class Answerer extends ChannelInboundHandlerAdapter {

        private static final byte[] ID_KEY = ascii("\"id\":");
        private static final byte[] METHOD_KEY = ascii("\"method\":\"");
        private static final byte[] INITIALIZE = ascii("initialize\"");
        private static final byte[] HEAD = ascii("{\"jsonrpc\":\"2.0\",\"id\":");

        private final Transport transport;
        private final byte[] echoTail;
        private final byte[] initializeTail;

        Answerer(Transport transport, Era era, int payloadBytes) {
            this.transport = transport;
            String end = transport.newlineDelimited() ? "\n" : "";
            String text = "{\"type\":\"text\",\"text\":\"" + "x".repeat(payloadBytes) + "\"}";
            // Byte for byte the shape of Peregrine's answers in each era; "reference" has as many
            // letters as the "peregrine" it stands in for.
            String result = era == Era.V2025_11_25
                    ? "{\"content\":[" + text + "]}"
                    : "{\"resultType\":\"complete\",\"content\":[" + text + "],\"_meta\":{"
                    + "\"io.modelcontextprotocol/serverInfo\":{\"name\":\"reference\",\"version\":\"0.1.0\"}}}";
            this.echoTail = ascii(",\"result\":" + result + "}" + end);
            this.initializeTail = ascii(",\"result\":{\"protocolVersion\":\"" + era.version() + "\","
                    + "\"capabilities\":{\"tools\":{\"listChanged\":true}},"
                    + "\"serverInfo\":{\"name\":\"reference\",\"version\":\"0.1.0\"}}}" + end);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf request = transport.unframe(msg);
            if (request == null) {
                return;
            }
            try {
                int idStart = ByteSearch.indexAfter(request, request.readerIndex(), ID_KEY);
                if (idStart < 0) {
                    return; // a notification: nothing to answer
                }
                int idEnd = idStart;
                while (idEnd < request.writerIndex() && request.getByte(idEnd) != ',' && request.getByte(idEnd) != '}') {
                    idEnd++;
                }
                int method = ByteSearch.indexAfter(request, idEnd, METHOD_KEY);
                byte[] tail = method >= 0 && ByteSearch.startsWith(request, method, INITIALIZE) ? initializeTail : echoTail;
                ByteBuf out = ctx.alloc().ioBuffer(HEAD.length + (idEnd - idStart) + tail.length);
                out.writeBytes(HEAD).writeBytes(request, idStart, idEnd - idStart).writeBytes(tail);
                ctx.write(transport.frame(out), ctx.voidPromise());
            } finally {
                request.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // One flush per read, as Peregrine does.
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }
}

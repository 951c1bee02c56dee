package io.peregrine.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load over newline-delimited JSON-RPC on TCP, or over WebSocket text frames: {@code connections} sockets each keep
 * {@code depth} {@code tools/call echo} requests outstanding (pipelining), sending the next as
 * each response arrives. Every response is checked: its id must be the next one expected on its
 * connection (the echo tool answers in order) and it must carry a {@code result}; anything else
 * is counted as an error, never as throughput. Latency is recorded in an HdrHistogram per
 * connection, from send to response, during the measured window only.
 *
 * <p>Runs are bounded: warm-up plus measurement, then every connection stops sending.
 */
public final class TcpLoadGenerator {

    /** What one run measured. */
    public static final class Result {
        public final long requests;
        public final long errors;
        public final double seconds;
        public final Histogram latencyMicros;

        Result(long requests, long errors, double seconds, Histogram latencyMicros) {
            this.requests = requests;
            this.errors = errors;
            this.seconds = seconds;
            this.latencyMicros = latencyMicros;
        }

        public double throughput() {
            return requests / seconds;
        }

        public long percentileMicros(double p) {
            return latencyMicros.getValueAtPercentile(p);
        }
    }

    private final InetSocketAddress target;
    private final int connections;
    private final int depth;
    private final int payload;
    private final String era;
    private final String tool;
    private final boolean webSocket;

    /** @param era "2025-11-25" (initialize first) or "2026-07-28" (per-request _meta) */
    public TcpLoadGenerator(InetSocketAddress target, int connections, int depth, int payload, String era, String tool) {
        this(target, connections, depth, payload, era, tool, false);
    }

    /**
     * @param webSocket one message per text frame to {@code ws://target/mcp} instead of one per
     *                  line on the socket
     */
    public TcpLoadGenerator(InetSocketAddress target, int connections, int depth, int payload, String era, String tool,
                            boolean webSocket) {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("target : " + target + " (expected: a loopback address)");
        }
        if (connections <= 0 || depth <= 0 || payload < 0) {
            throw new IllegalArgumentException("connections, depth : " + connections + ", " + depth + " (expected: > 0)");
        }
        this.target = target;
        this.connections = connections;
        this.depth = depth;
        this.payload = payload;
        this.era = era;
        this.tool = tool;
        this.webSocket = webSocket;
    }

    /** Runs warm-up then measurement, and returns what the measurement saw. */
    public Result run(Duration warmup, Duration measure) throws InterruptedException {
        String meta = era.equals("2026-07-28")
                ? ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}" : "";
        byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = (",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"message\":\""
                + "x".repeat(payload) + "\"}" + meta + "}}" + (webSocket ? "" : "\n")).getBytes(StandardCharsets.US_ASCII);
        List<Connection> all = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(connections);
        try (EventLoops loops = new EventLoops(1, "load")) {
            Bootstrap b = new Bootstrap().group(loops.workers()).channel(loops.channelClass())
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < connections; i++) {
                Connection c = new Connection(head, tail, ready);
                all.add(c);
                b.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (webSocket) {
                            URI uri = URI.create("ws://" + target.getHostString() + ":" + target.getPort() + "/mcp");
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                    new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                            .webSocketUri(uri).subprotocol("mcp").maxFramePayloadLength(16 * 1024 * 1024).build()),
                                    new WebSocketFrameAggregator(16 * 1024 * 1024), c);
                        } else {
                            ch.pipeline().addLast(new NdjsonFrameDecoder(16 * 1024 * 1024), c);
                        }
                    }
                }).connect(target).sync();
            }
            if (!ready.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connections did not become ready within 10 s");
            }
            all.forEach(c -> c.channel.eventLoop().execute(c::start));
            Thread.sleep(warmup.toMillis());
            all.forEach(c -> c.channel.eventLoop().execute(c::startMeasuring));
            long start = System.nanoTime();
            Thread.sleep(measure.toMillis());
            CountDownLatch stopped = new CountDownLatch(all.size());
            all.forEach(c -> c.channel.eventLoop().execute(() -> {
                c.stopMeasuring();
                stopped.countDown();
            }));
            stopped.await(10, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram merged = new Histogram(3_600_000_000L, 3);
            long requests = 0;
            long errors = 0;
            for (Connection c : all) {
                merged.add(c.histogram);
                requests += c.measured;
                errors += c.errors;
                c.channel.close();
            }
            return new Result(requests, errors, seconds, merged);
        }
    }

    /** One socket of the closed loop; touched only on its event loop. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final byte[] head;
        private final byte[] tail;
        private final CountDownLatch ready;
        private final long[] sentAt = new long[depth];
        private final Histogram histogram = new Histogram(3_600_000_000L, 3);
        private Channel channel;
        private long nextId = 1;
        private long expectedId = 1;
        private boolean initialized;
        private boolean measuring;
        private boolean sending;
        private long measured;
        private long errors;

        Connection(byte[] head, byte[] tail, CountDownLatch ready) {
            this.head = head;
            this.tail = tail;
            this.ready = ready;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            if (!webSocket) {
                begin(ctx);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                begin(ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void begin(ChannelHandlerContext ctx) {
            if (era.equals("2026-07-28")) {
                initialized = true;
                ready.countDown();
                return;
            }
            write(ctx, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"peregrine-load\",\"version\":\"1\"}}}");
            write(ctx, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            ctx.flush();
        }

        void start() {
            sending = true;
            for (int i = 0; i < depth; i++) {
                send();
            }
            channel.flush();
        }

        void startMeasuring() {
            measuring = true;
        }

        void stopMeasuring() {
            measuring = false;
            sending = false;
        }

        private void send() {
            long id = nextId++;
            ByteBuf out = channel.alloc().buffer(head.length + 20 + tail.length);
            out.writeBytes(head);
            out.writeCharSequence(Long.toString(id), StandardCharsets.US_ASCII);
            out.writeBytes(tail);
            sentAt[(int) (id % depth)] = System.nanoTime();
            channel.write(webSocket ? new TextWebSocketFrame(out) : out, channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame) {
                ByteBuf content = ((TextWebSocketFrame) msg).content().retain();
                ReferenceCountUtil.release(msg);
                msg = content;
            }
            if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                errors++;
                return;
            }
            ByteBuf line = (ByteBuf) msg;
            try {
                if (!initialized) {
                    initialized = true;
                    ready.countDown();
                    return;
                }
                long id = parseId(line);
                boolean ok = id == expectedId && contains(line, RESULT);
                long sent = sentAt[(int) (expectedId % depth)];
                expectedId++;
                if (measuring) {
                    if (ok) {
                        histogram.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                        measured++;
                    } else {
                        errors++;
                    }
                }
                if (sending) {
                    send();
                }
            } finally {
                line.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        private void write(ChannelHandlerContext ctx, String message) {
            ByteBuf buf = ctx.alloc().buffer().writeBytes(message.getBytes(StandardCharsets.UTF_8));
            ctx.write(webSocket ? new TextWebSocketFrame(buf) : buf.writeByte('\n'), ctx.voidPromise());
        }
    }

    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESULT = "\"result\":".getBytes(StandardCharsets.US_ASCII);

    private static long parseId(ByteBuf line) {
        int i = ByteSearch.indexAfter(line, ID);
        if (i < 0) {
            return -1;
        }
        long v = 0;
        boolean digits = false;
        for (; i < line.writerIndex(); i++) {
            byte b = line.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
            digits = true;
        }
        return digits ? v : -1;
    }

    private static boolean contains(ByteBuf line, byte[] needle) {
        return ByteSearch.indexAfter(line, needle) >= 0;
    }
}

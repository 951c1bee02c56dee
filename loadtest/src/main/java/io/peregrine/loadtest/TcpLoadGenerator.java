package io.peregrine.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Load on an MCP server over loopback: {@code connections} sockets calling a tool, either in a
 * closed loop (each keeps {@code depth} requests pipelined and sends the next as each response
 * arrives) or in an open loop (a fixed total arrival rate, latencies measured from when each
 * request was due). See {@link LoadSettings}.
 *
 * <p>A run is warm-up, then a measured window, then stop: it is always bounded by the warm-up
 * plus the duration (the window also closes after {@code maxRequests} responses). Only responses
 * that arrive in the window are counted; each is verified by {@link LoadConnection}.
 *
 * <p>The generator has an event loop thread of its own, so that an in-process server never shares
 * its I/O thread with the load.
 */
public final class TcpLoadGenerator {

    /** How long closing every connection may take. */
    private static final long STOP_TIMEOUT_MILLIS = 10_000;
    /** The gap between the last session opening and the open loop's first request, for all to start together. */
    private static final long OPEN_LOOP_LEAD_NANOS = 1_000_000;

    private final LoadSettings settings;

    /** A generator for runs with these settings; {@link #run()} may be called more than once. */
    public TcpLoadGenerator(LoadSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Connects, warms up, measures and disconnects.
     *
     * @throws IllegalStateException if a connection cannot be made or its session cannot be opened
     */
    public LoadResult run() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        // Native epoll where it loads, as Peregrine itself does, so that both ends pay the same
        // per-syscall cost; NIO otherwise.
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("load", true), io);
        Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        List<Channel> channels = new ArrayList<>();
        try {
            MeasureWindow window = new MeasureWindow(settings.maxRequests());
            Map<EventLoop, Histogram> latencies = new LinkedHashMap<>();
            Map<Channel, LoadConnection> connections = connect(group, channelClass, window, latencies, channels);
            List<OpenLoopPacer> pacers = start(connections);
            Thread.sleep(settings.warmup().toMillis());
            window.open();
            boolean filled = window.awaitFull(settings.duration());
            window.close();
            // Once every connection has stopped on its loop, nothing records any more and the
            // histograms may be read here.
            ErrorCounts errors = stop(connections, pacers);
            Histogram latency = new Histogram(LoadConnection.HIGHEST_MICROS, 3);
            latencies.values().forEach(latency::add);
            return new LoadResult(settings, window.seconds(), latency, errors, filled);
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private Map<Channel, LoadConnection> connect(EventLoopGroup group, Class<? extends SocketChannel> channelClass,
                                                 MeasureWindow window, Map<EventLoop, Histogram> latencies,
                                                 List<Channel> channels)
            throws InterruptedException {
        // One encoder per credential carried in the messages (over TCP), shared by its connections.
        Map<String, RequestEncoder> encoders = new HashMap<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.openTimeout().toMillis());
        Map<Channel, LoadConnection> connections = new LinkedHashMap<>();
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < settings.connections(); i++) {
            int index = i;
            String authorization = settings.transport() == Transport.TCP ? settings.authorization(i) : null;
            RequestEncoder requests = encoders.computeIfAbsent(String.valueOf(authorization), a -> new RequestEncoder(
                    settings.era(), settings.tool(), settings.payloadBytes(), settings.transport().newlineDelimited(),
                    authorization));
            // The loop is chosen here rather than at registration so that the connection can be
            // given that loop's histogram.
            EventLoop loop = group.next();
            Histogram latency = latencies.computeIfAbsent(loop, l -> new Histogram(LoadConnection.HIGHEST_MICROS, 3));
            LoadConnection c = new LoadConnection(requests, settings.transport(), settings.era(), window, latency,
                    settings.depth());
            ChannelFuture f = bootstrap.clone(loop).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    settings.transport().addClientCodec(ch.pipeline(), settings, index);
                    ch.pipeline().addLast(c);
                }
            }).connect(settings.server());
            channels.add(f.channel());
            connections.put(f.channel(), c);
            connects.add(f);
        }
        for (ChannelFuture f : connects) {
            if (!f.await(settings.openTimeout().toMillis()) || !f.isSuccess()) {
                throw new IllegalStateException("cannot connect to " + settings.server(), f.cause());
            }
        }
        CompletableFuture<?>[] sessions = connections.values().stream().map(LoadConnection::ready)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(sessions).get(settings.openTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot open a session with " + settings.server() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("sessions with " + settings.server() + " did not open within "
                    + settings.openTimeout().toMillis() + " ms", e);
        }
        return connections;
    }

    /** Starts sending on every connection; returns the open loop's pacers (none for a closed loop). */
    private List<OpenLoopPacer> start(Map<Channel, LoadConnection> connections) {
        if (!settings.openLoop()) {
            connections.forEach((ch, c) -> ch.eventLoop().execute(c::startClosedLoop));
            return List.of();
        }
        Map<EventLoop, List<LoadConnection>> byLoop = new LinkedHashMap<>();
        Map<EventLoop, List<Integer>> slotsByLoop = new LinkedHashMap<>();
        int slot = 0;
        for (Map.Entry<Channel, LoadConnection> e : connections.entrySet()) {
            EventLoop loop = e.getKey().eventLoop();
            byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(e.getValue());
            slotsByLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(slot++);
        }
        long startNanos = System.nanoTime() + OPEN_LOOP_LEAD_NANOS;
        List<OpenLoopPacer> pacers = new ArrayList<>();
        byLoop.forEach((loop, list) -> {
            int[] slots = slotsByLoop.get(loop).stream().mapToInt(Integer::intValue).toArray();
            OpenLoopPacer pacer = new OpenLoopPacer(loop, list, slots, connections.size(), settings.rate(), startNanos);
            pacers.add(pacer);
            loop.execute(pacer::start);
        });
        return pacers;
    }

    /** Stops sending everywhere and gathers every connection's error counts, on their loops. */
    private static ErrorCounts stop(Map<Channel, LoadConnection> connections, List<OpenLoopPacer> pacers)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(connections.size());
        AtomicReference<ErrorCounts> total = new AtomicReference<>(ErrorCounts.NONE);
        for (OpenLoopPacer pacer : pacers) {
            pacer.stop(); // queued on its loop before the connections' stops, so no tick runs between them
        }
        connections.forEach((ch, c) -> ch.eventLoop().execute(() -> {
            ErrorCounts counts = c.stop();
            total.accumulateAndGet(counts, ErrorCounts::plus);
            stopped.countDown();
        }));
        if (!stopped.await(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("connections did not stop within " + STOP_TIMEOUT_MILLIS + " ms");
        }
        return total.get();
    }
}

package io.peregrine.ops.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener ({@code admin.enabled}): {@code /metrics}, {@code /health} and {@code /ready}
 * on a port of their own, apart from MCP traffic, without authentication. It is where Prometheus
 * and an orchestrator's probes go when the MCP listeners require credentials, and it keeps
 * answering when the MCP event loops are busy: it runs on one event loop of its own.
 *
 * <p>Bind it to loopback (the default) or to an address only the scraper and the orchestrator
 * reach: what it shows (tool names, traffic) is not secret but is not for everyone.
 */
public final class AdminServer implements AutoCloseable {

    /** The default host: this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port, next to the TCP (7400) and HTTP (7401) listeners. */
    public static final int DEFAULT_PORT = 7402;

    static final String METRICS = "/metrics";
    static final String HEALTH = "/health";
    static final String HEALTH_DETAILS = "/health/details";
    static final String READY = "/ready";

    /** Requests here are small GETs: anything bigger is not for this listener. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** A connection that sends nothing for this long is closed (slow or idle clients hold no slot). */
    private static final int READ_TIMEOUT_SECONDS = 30;

    private final EventLoopGroup group;
    private final Channel serverChannel;

    private AdminServer(EventLoopGroup group, Channel serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the admin listener to {@code host:port} (port 0 picks a free port).
     *
     * @param details the body of {@code /health?verbose} and {@code /health/details} (a JSON object),
     *                read on each probe ({@code HealthReport::details})
     * @param ready   whether {@code /ready} answers 200 (else 503), read on each probe ({@code HealthReport::ready})
     */
    public static AdminServer bind(String host, int port, MetricsExposition exposition, Supplier<String> details,
                                   BooleanSupplier ready) throws InterruptedException {
        return bind(host, port, exposition, details, ready,
                isReady -> isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    }

    /**
     * {@link #bind(String, int, MetricsExposition, Supplier, BooleanSupplier)} with the body of
     * {@code /ready} for the readiness found ({@code HealthReport::readiness}).
     */
    public static AdminServer bind(String host, int port, MetricsExposition exposition, Supplier<String> details,
                                   BooleanSupplier ready, java.util.function.Function<Boolean, String> readiness)
            throws InterruptedException {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: 0 to 65535)");
        }
        AdminHandler handler = new AdminHandler(Objects.requireNonNull(exposition, "exposition"),
                Objects.requireNonNull(details, "details"), Objects.requireNonNull(ready, "ready"),
                Objects.requireNonNull(readiness, "readiness"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("peregrine-admin", true),
                NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline p = ch.pipeline();
                            p.addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                            p.addLast(new HttpServerCodec());
                            p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
                            p.addLast(handler);
                        }
                    })
                    .bind(host, port).sync().channel();
            return new AdminServer(group, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

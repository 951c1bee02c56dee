package io.peregrine.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * The event loop groups shared by every listener of one server: native epoll on Linux when it
 * loads, NIO otherwise.
 */
public final class EventLoops implements AutoCloseable {

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final boolean epoll;

    /** @param threads I/O threads; 0 means Netty's default (twice the number of cores) */
    public EventLoops(int threads, String name) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads : " + threads + " (expected: >= 0)");
        }
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true), factory);
        this.workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name + "-io", true), factory);
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> channelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * A server bootstrap on these loops with the options every listener shares: a deep accept
     * backlog, address reuse, TCP_NODELAY (responses are small and latency matters), keep-alive,
     * and write-buffer water marks that turn a slow reader into back-pressure.
     */
    public ServerBootstrap serverBootstrap() {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
    }

    public boolean isNative() {
        return epoll;
    }

    /** Shuts both groups down, waiting up to {@code timeoutMillis}. */
    public void shutdown(long timeoutMillis) {
        Future<?> b = boss.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        Future<?> w = workers.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        b.awaitUninterruptibly(timeoutMillis);
        w.awaitUninterruptibly(timeoutMillis);
    }

    @Override
    public void close() {
        shutdown(5_000);
    }
}

package io.peregrine.transport;

import io.netty.channel.EventLoopGroup;
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

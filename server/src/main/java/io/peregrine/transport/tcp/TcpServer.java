package io.peregrine.transport.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.MessageListener;

import java.net.InetSocketAddress;

/** A listener for newline-delimited JSON-RPC over raw TCP. */
public final class TcpServer implements AutoCloseable {

    private final Channel serverChannel;

    private TcpServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /**
     * Binds and starts accepting.
     *
     * @param maxLineLength the longest message accepted, in bytes
     */
    public static TcpServer bind(EventLoops loops, String host, int port, int maxLineLength, MessageListener listener)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new TcpServerInitializer(listener, maxLineLength));
        Channel ch = b.bind(host, port).sync().channel();
        return new TcpServer(ch);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting; connections already open stay open. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}

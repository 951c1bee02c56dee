package io.peregrine.transport.ws;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.MessageListener;

import java.net.InetSocketAddress;

/** The HTTP listener serving MCP over WebSocket. */
public final class WebSocketServer implements AutoCloseable {

    private final Channel serverChannel;

    private WebSocketServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    public static WebSocketServer bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                       MessageListener listener) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new WebSocketServerInitializer(listener, settings));
        return new WebSocketServer(b.bind(host, port).sync().channel());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}

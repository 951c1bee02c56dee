package io.peregrine.transport.ws;

import io.netty.channel.Channel;
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
        return new WebSocketServer(loops.serverBootstrap()
                .childHandler(new WebSocketServerInitializer(listener, settings))
                .bind(host, port).sync().channel());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}

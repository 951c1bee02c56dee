package io.peregrine.transport.ws;

import io.netty.channel.Channel;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.ListenerSecurity;
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
        return bind(loops, host, port, settings, listener, ListenerSecurity.NONE);
    }

    /** Binds with TLS and upgrade authentication when {@code security} has them. */
    public static WebSocketServer bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                       MessageListener listener, ListenerSecurity security) throws InterruptedException {
        return new WebSocketServer(loops.serverBootstrap()
                .childHandler(new WebSocketServerInitializer(listener, settings, security))
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

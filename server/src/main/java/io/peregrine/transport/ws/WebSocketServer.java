package io.peregrine.transport.ws;

import io.netty.channel.Channel;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.http.StreamableHttpEndpoint;

import java.net.InetSocketAddress;

/** The HTTP listener serving MCP over WebSocket. */
public final class WebSocketServer implements AutoCloseable {

    private final Channel serverChannel;

    private WebSocketServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the HTTP listener: WebSocket upgrades at the MCP path, and Streamable HTTP on the same
     * path when {@code http} is not null.
     */
    public static WebSocketServer bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                       StreamableHttpEndpoint http, MessageListener listener) throws InterruptedException {
        return bind(loops, host, port, settings, http, listener, ListenerSecurity.NONE);
    }

    /** Binds with TLS, and authentication of the transport's credentials, when {@code security} has them. */
    public static WebSocketServer bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                       StreamableHttpEndpoint http, MessageListener listener,
                                       ListenerSecurity security) throws InterruptedException {
        return new WebSocketServer(loops.serverBootstrap()
                .childHandler(new WebSocketServerInitializer(listener, settings, http, security))
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

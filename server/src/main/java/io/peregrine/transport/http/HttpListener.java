package io.peregrine.transport.http;

import io.netty.channel.Channel;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.ws.WebSocketSettings;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The HTTP listener: Streamable HTTP and WebSocket upgrades on the MCP path, HTTP/2 with prior
 * knowledge beside HTTP/1.1 when enabled, health and readiness, and the OAuth protected resource
 * metadata when the policy authenticates.
 */
public final class HttpListener implements AutoCloseable {

    private final Channel serverChannel;

    private HttpListener(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** Binds the HTTP listener without TLS or authentication. */
    public static HttpListener bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                    StreamableHttpEndpoint http, MessageListener listener) throws InterruptedException {
        return bind(loops, host, port, settings, http, listener, ListenerSecurity.NONE, List.of());
    }

    /**
     * Binds with TLS, and authentication of the transport's credentials, when {@code security} has
     * them, serving {@code routes} beside MCP behind the same authentication.
     *
     * @throws IllegalArgumentException when a route's path is the MCP path or another route's
     */
    public static HttpListener bind(EventLoops loops, String host, int port, WebSocketSettings settings,
                                    StreamableHttpEndpoint http, MessageListener listener,
                                    ListenerSecurity security, List<HttpRoute> routes) throws InterruptedException {
        return new HttpListener(loops.serverBootstrap()
                .childHandler(new HttpListenerInitializer(listener, settings, http, security, routes))
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

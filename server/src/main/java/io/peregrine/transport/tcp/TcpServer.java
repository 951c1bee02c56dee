package io.peregrine.transport.tcp;

import io.netty.channel.Channel;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.ListenerSecurity;
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
        return bind(loops, host, port, maxLineLength, listener, ListenerSecurity.NONE);
    }

    /** Binds and starts accepting, with TLS when {@code security} has it. */
    public static TcpServer bind(EventLoops loops, String host, int port, int maxLineLength, MessageListener listener,
                                 ListenerSecurity security) throws InterruptedException {
        Channel ch = loops.serverBootstrap()
                .childHandler(new TcpServerInitializer(listener, maxLineLength, security))
                .bind(host, port).sync().channel();
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

package io.peregrine.transport.tcp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;

/** The pipeline of a newline-framed JSON-RPC connection. */
final class TcpServerInitializer extends ChannelInitializer<SocketChannel> {

    private final MessageListener listener;
    private final int maxLineLength;
    private final ListenerSecurity security;

    TcpServerInitializer(MessageListener listener, int maxLineLength, ListenerSecurity security) {
        this.listener = listener;
        this.maxLineLength = maxLineLength;
        this.security = security;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        security.configure(p);
        p.addLast(new NdjsonFrameDecoder(maxLineLength));
        p.addLast(new TcpServerHandler(listener));
    }
}

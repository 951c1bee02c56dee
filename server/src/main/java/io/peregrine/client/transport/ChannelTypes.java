package io.peregrine.client.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The socket channel class that fits an event loop: a client may run on a server's native loops. */
final class ChannelTypes {

    private ChannelTypes() {
    }

    static Class<? extends SocketChannel> socketChannel(EventLoop loop) {
        if (loop instanceof IoEventLoop && ((IoEventLoop) loop).isIoType(EpollIoHandler.class)) {
            return EpollSocketChannel.class;
        }
        return NioSocketChannel.class;
    }
}

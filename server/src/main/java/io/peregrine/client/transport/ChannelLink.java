package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.util.concurrent.CompletableFuture;

/**
 * A link over one connection, multiplexed by JSON-RPC id: a TCP connection carrying one message a
 * line, or a WebSocket carrying one a text frame.
 */
final class ChannelLink implements Link {

    private final Channel channel;
    private final boolean webSocket;
    private final LinkListener listener;

    ChannelLink(Channel channel, boolean webSocket, LinkListener listener) {
        this.channel = channel;
        this.webSocket = webSocket;
        this.listener = listener;
    }

    @Override
    public void send(Outbound message) {
        ByteBuf body = message.body();
        Object framed = webSocket ? new TextWebSocketFrame(body) : body.writeByte('\n');
        channel.writeAndFlush(framed).addListener(f -> {
            if (f.isSuccess()) {
                message.deliveredOk();
            } else {
                message.deliveryFailed(String.valueOf(f.cause()));
            }
            if (!f.isSuccess() && message.kind() == Outbound.Kind.REQUEST) {
                listener.onRequestFailed(message.id(), 0, "cannot send " + message.describe() + " to "
                        + channel.remoteAddress() + ": " + f.cause(), null);
            }
        });
    }

    @Override
    public boolean cancelByTransport(long id) {
        return false;
    }

    @Override
    public void protocolVersion(String version, boolean stateless) {
        // One connection, one era: the messages themselves say everything.
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        if (webSocket && channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "client closing"));
        }
        channel.close().addListener(f -> closed.complete(null));
        return closed;
    }

    @Override
    public String toString() {
        return (webSocket ? "ws:" : "tcp:") + channel.remoteAddress();
    }
}

package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * The last handler of a TCP or WebSocket connection: hands each message to the client and tells it
 * when the connection is gone, with the reason when this side knows it. For WebSocket it also
 * completes the opening once the handshake is done.
 */
final class InboundMessages extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

    private final LinkListener listener;
    private final CompletableFuture<Void> ready;
    private String closeReason;

    /** @param ready completed when messages can flow (at once for TCP, after the handshake for WebSocket) */
    InboundMessages(LinkListener listener, CompletableFuture<Void> ready) {
        this.listener = listener;
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            listener.onMessage((ByteBuf) msg);
        } else if (msg instanceof TextWebSocketFrame) {
            ByteBuf content = ((TextWebSocketFrame) msg).content().retain();
            ReferenceCountUtil.release(msg);
            listener.onMessage(content);
        } else if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
            // Some request just lost its answer, and nothing says which: the connection goes, so
            // that every pending request fails at once instead of one waiting for its timeout.
            long limit = ((NdjsonFrameDecoder.TooLongFrame) msg).limit();
            listener.onMessageTooLong(limit);
            close(ctx, "the server sent a message longer than maxLineLength (" + limit + " bytes)");
        } else if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
            close(ctx, "the server closed the WebSocket (" + close.statusCode() + " " + close.reasonText() + ")");
            ReferenceCountUtil.release(msg);
        } else {
            if (msg instanceof WebSocketFrame) {
                log.debug("dropped a {} from the server: MCP travels in text frames", msg.getClass().getSimpleName());
            }
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ready.complete(null);
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new java.io.IOException("the WebSocket handshake with "
                    + ctx.channel().remoteAddress() + " timed out"));
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            ready.completeExceptionally(new java.io.IOException("the connection to " + ctx.channel().remoteAddress()
                    + " closed while opening" + (closeReason != null ? ": " + closeReason : "")));
            return;
        }
        listener.onClosed(closeReason);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing the connection to {} after a failure", ctx.channel().remoteAddress(), cause);
        if (!ready.isDone()) {
            ready.completeExceptionally(cause instanceof java.io.IOException ? cause
                    : new java.io.IOException(String.valueOf(cause.getMessage()), cause));
        }
        String reason = cause instanceof TooLongFrameException
                ? "the server sent a message longer than maxMessageBytes: " + cause.getMessage()
                : String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
        close(ctx, reason);
    }
}

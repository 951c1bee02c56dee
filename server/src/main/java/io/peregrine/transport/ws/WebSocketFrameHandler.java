package io.peregrine.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.PeerHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket connection carrying MCP: one JSON-RPC message per text frame (fragmented messages
 * are aggregated before they arrive here). Binary frames are refused with close code 1003, a
 * message over the size limit with 1009. The connection becomes a {@code Peer} once the
 * handshake completes; plain HTTP requests that reach this handler get a 404.
 */
public final class WebSocketFrameHandler extends PeerHandler {

    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final String path;
    private final WebSocketSettings settings;

    public WebSocketFrameHandler(MessageListener listener, WebSocketSettings settings) {
        super(listener, "ws");
        this.path = settings.path;
        this.settings = settings;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            WebSocketServerProtocolHandler.HandshakeComplete hs = (WebSocketServerProtocolHandler.HandshakeComplete) evt;
            log.debug("WebSocket session from {} (subprotocol {})", ctx.channel().remoteAddress(), hs.selectedSubprotocol());
            if (ctx.pipeline().get(WebSocketServerInitializer.HTTP_IDLE) != null) {
                ctx.pipeline().remove(WebSocketServerInitializer.HTTP_IDLE);
            }
            if (settings.idleTimeoutMillis > 0 || settings.pingIntervalMillis > 0) {
                ctx.pipeline().addFirst(new IdleStateHandler(settings.idleTimeoutMillis, settings.pingIntervalMillis, 0,
                        TimeUnit.MILLISECONDS));
            }
            opened();
        } else if (evt instanceof IdleStateEvent) {
            IdleState state = ((IdleStateEvent) evt).state();
            if (state == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
            } else if (state == IdleState.READER_IDLE) {
                closeWith(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle timeout");
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    protected void read(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame) {
            ByteBuf content = ((TextWebSocketFrame) msg).content();
            // The protocol layer reads messages from heap buffers of their own.
            ByteBuf message = ctx.alloc().heapBuffer(content.readableBytes());
            message.writeBytes(content);
            ReferenceCountUtil.release(msg);
            listener.onMessage(this, message);
        } else if (msg instanceof BinaryWebSocketFrame) {
            ReferenceCountUtil.release(msg);
            closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
                    "binary frames are not accepted: send each JSON-RPC message as a text frame");
        } else if (msg instanceof FullHttpRequest) {
            HttpResponses.respond(ctx, (FullHttpRequest) msg, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    "Not found: MCP over WebSocket is served at " + path + " and " + path + "/ws\n");
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closeWith(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big: " + cause.getMessage());
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private static void closeWith(ChannelHandlerContext ctx, int code, String reason) {
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object wrap(ByteBuf message) {
        return new TextWebSocketFrame(message);
    }

    @Override
    public Future<?> close() {
        ChannelHandlerContext ctx = context();
        closeWith(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "server shutting down");
        return ctx.channel().closeFuture();
    }
}

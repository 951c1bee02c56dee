package io.peregrine.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.peregrine.transport.HeapCopy;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.PeerHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket connection carrying MCP: one JSON-RPC message per text frame (fragmented messages
 * are aggregated before they arrive here). Binary frames are refused with close code 1003, a
 * message over the size limit with 1009. The connection becomes a {@code Peer} once the
 * handshake completes. The HTTP handlers ahead of it answer every request that is not an upgrade
 * at the MCP path; one that reaches this handler all the same closes the connection.
 */
public final class WebSocketFrameHandler extends PeerHandler {

    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final WebSocketSettings settings;

    public WebSocketFrameHandler(MessageListener listener, WebSocketSettings settings) {
        super(listener, io.peregrine.transport.Transport.WEBSOCKET);
        this.settings = settings;
    }

    /**
     * Adds MCP over WebSocket at the settings' path to an HTTP pipeline, behind its HTTP handlers:
     * the upgrade (offering permessage-deflate when enabled), the joining of fragmented messages,
     * and a handler of this class.
     */
    public static void addTo(ChannelPipeline p, MessageListener listener, WebSocketSettings settings) {
        if (settings.compression) {
            p.addLast(new WebSocketServerCompressionHandler(0));
        }
        p.addLast(CloseCodeCheck.INSTANCE);
        p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(settings.path)
                .subprotocols("mcp")
                .allowExtensions(settings.compression)
                .maxFramePayloadLength(settings.maxFrameBytes)
                // A frame that breaks the protocol is closed here (exceptionCaught), through the
                // protocol handler, which then sends no close frame of its own: when the decoder
                // closed it, a second close frame (1000 "Bye") followed the decoder's.
                .closeOnProtocolViolation(false)
                .handshakeTimeoutMillis(10_000)
                .build()));
        p.addLast(new WebSocketFrameAggregator(settings.maxMessageBytes));
        p.addLast(new WebSocketFrameHandler(listener, settings));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            WebSocketServerProtocolHandler.HandshakeComplete hs = (WebSocketServerProtocolHandler.HandshakeComplete) evt;
            log.debug("WebSocket session from {} (subprotocol {})", ctx.channel().remoteAddress(), hs.selectedSubprotocol());
            // The keep-alive timer of plain HTTP: a WebSocket has its own ping and idle timers.
            if (ctx.pipeline().get(IdleStateHandler.class) != null) {
                ctx.pipeline().remove(IdleStateHandler.class);
            }
            if (settings.idleTimeoutMillis > 0 || settings.pingIntervalMillis > 0) {
                ctx.pipeline().addFirst(new WebSocketKeepAlive(settings.idleTimeoutMillis, settings.pingIntervalMillis));
            }
            opened();
            // Passed on to the handlers behind: an HTTP listener drops those that serve plain HTTP.
            ctx.fireUserEventTriggered(evt);
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
            ByteBuf message = HeapCopy.of(ctx.alloc(), content);
            ReferenceCountUtil.release(msg);
            listener.onMessage(this, message);
        } else if (msg instanceof BinaryWebSocketFrame) {
            ReferenceCountUtil.release(msg);
            closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
                    "binary frames are not accepted: send each JSON-RPC message as a text frame");
        } else if (msg instanceof HttpRequest) {
            log.debug("HTTP request {} reached the WebSocket handler unanswered; closing", ((HttpRequest) msg).uri());
            ReferenceCountUtil.release(msg);
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // A frame that breaks RFC 6455 (masking, reserved bits, control frame rules, UTF-8, a
            // frame over ws.max-frame-size): the status the decoder chose, 1002, 1007 or 1009.
            closeWith(ctx, ((CorruptedWebSocketFrameException) cause).closeStatus().code(), String.valueOf(cause.getMessage()));
            return;
        }
        if (cause instanceof TooLongFrameException) {
            closeWith(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big: " + cause.getMessage());
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private static void closeWith(ChannelHandlerContext ctx, int code, String reason) {
        ctx.writeAndFlush(new CloseWebSocketFrame(code, fitCloseReason(reason))).addListener(ChannelFutureListener.CLOSE);
    }

    /** The reason cut to the 123 bytes of UTF-8 a close frame has room for (RFC 6455 §5.5), at a character boundary. */
    static String fitCloseReason(String reason) {
        String r = reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            int end = r.length() - 1;
            if (Character.isLowSurrogate(r.charAt(end)) && end > 0) {
                end--;
            }
            r = r.substring(0, end);
        }
        return r;
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

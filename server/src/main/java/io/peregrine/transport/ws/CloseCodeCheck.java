package io.peregrine.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a client's close frame whose status code RFC 6455 (§7.4) does not allow: Netty's decoder
 * lets any code from 3000 up through, and the protocol handler echoed it, so a client that closed
 * with 29551 got 29551 back. Such a close is answered 1002 (protocol error) instead, and one whose
 * reason is not UTF-8 1007 (Netty's own check passed a sequence cut short at the end). Placed ahead
 * of the protocol handler, so that its close frame is the only one. One per listener.
 */
@ChannelHandler.Sharable
final class CloseCodeCheck extends ChannelInboundHandlerAdapter {

    static final CloseCodeCheck INSTANCE = new CloseCodeCheck();

    private CloseCodeCheck() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
            int code = close.content().readableBytes() >= 2 ? close.statusCode() : -1;
            boolean badCode = code != -1 && !allowed(code);
            if (badCode || code != -1 && !isUtf8(close.content(), 2)) {
                close.release();
                ctx.writeAndFlush(badCode
                        ? new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR.code(),
                                "close status code " + code + " is not allowed (RFC 6455 7.4)")
                        : new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "close reason is not UTF-8"))
                        // ctx.close(), not the channel's: from the tail, the close would pass the
                        // protocol handler, which would send a close frame of its own.
                        .addListener(f -> ctx.close());
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Whether the bytes from {@code offset} are UTF-8, strictly: Netty's check of a close reason
     * let a sequence cut short at its end pass ({@code "by\\xe5"}), and the reason was echoed.
     */
    private static boolean isUtf8(ByteBuf content, int offset) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(content.nioBuffer(content.readerIndex() + offset, content.readableBytes() - offset));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The codes an endpoint may send in a close frame: defined ones, and 3000-4999 for libraries and applications. */
    static boolean allowed(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }
}

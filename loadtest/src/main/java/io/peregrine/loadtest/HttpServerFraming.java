package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * The raw reference's side of Streamable HTTP: the body of each {@code POST /mcp} is passed on as
 * a buffer, and whatever the handler behind writes for it goes back as a {@code 200} with
 * {@code Content-Type: application/json} on the keep-alive connection. A request the handler
 * does not answer (a notification) gets {@code 202 Accepted}; any other method or path gets
 * {@code 404}.
 *
 * <p>In the 2025-11-25 era a request without {@code Mcp-Session-Id} is taken for
 * {@code initialize}, and its answer carries a session id. No session is kept: the reference moves
 * bytes and does not check them.
 */
final class HttpServerFraming extends ChannelDuplexHandler {

    private static final AsciiString SESSION_ID = AsciiString.cached("mcp-session-id");
    private static final AsciiString SESSION = AsciiString.cached("reference-session");

    private final boolean sessions;
    private boolean answered;
    private boolean newSession;

    HttpServerFraming(Era era) {
        this.sessions = era.handshake();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        try {
            if (request.method() != HttpMethod.POST || !HttpClientFraming.PATH.equals(request.uri())) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                return;
            }
            newSession = sessions && !request.headers().contains(SESSION_ID);
            answered = false;
            ctx.fireChannelRead(request.content().retain());
            if (!answered) {
                respond(ctx, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER);
            }
        } finally {
            request.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        answered = true;
        FullHttpResponse response = response(HttpResponseStatus.OK, (ByteBuf) msg);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (newSession) {
            response.headers().set(SESSION_ID, SESSION);
        }
        ctx.write(response, promise);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = response(status, body);
        if (status == HttpResponseStatus.NOT_FOUND) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.write(response, ctx.voidPromise());
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpHeaders h = response.headers();
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }
}

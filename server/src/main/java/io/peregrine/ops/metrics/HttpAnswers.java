package io.peregrine.ops.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

import java.io.IOException;

/** Complete HTTP answers of the metrics route and the admin listener, honouring keep-alive and HEAD. */
final class HttpAnswers {

    private HttpAnswers() {
    }

    /** The request's path without its query. */
    static String path(FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** Whether the method reads: GET or HEAD. */
    static boolean isRead(FullHttpRequest request) {
        HttpMethod method = request.method();
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    /** Answers a scrape of {@code exposition}, in the format the request's {@code Accept} asks for. */
    static void scrape(ChannelHandlerContext ctx, FullHttpRequest request, MetricsExposition exposition) {
        ByteBuf body = ctx.alloc().buffer(16 * 1024);
        String contentType;
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            contentType = exposition.write(request.headers().get(HttpHeaderNames.ACCEPT), out);
        } catch (IOException | RuntimeException e) {
            body.release();
            text(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics could not be collected: " + e + "\n");
            return;
        }
        respond(ctx, request, HttpResponseStatus.OK, contentType, body);
    }

    /** 405 for a method other than GET and HEAD. */
    static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = response(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8", ByteBufUtil.writeUtf8(ctx.alloc(), request.method() + " is not served here: use GET\n"));
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(ctx, request, response);
    }

    static void text(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        respond(ctx, request, status, "text/plain; charset=utf-8", ByteBufUtil.writeUtf8(ctx.alloc(), body));
    }

    static void json(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        respond(ctx, request, status, "application/json", ByteBufUtil.writeUtf8(ctx.alloc(), body));
    }

    /** Answers {@code request} (which this releases) with {@code body} (which this takes). */
    static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                        CharSequence contentType, ByteBuf body) {
        send(ctx, request, response(ctx, request, status, contentType, body));
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                             CharSequence contentType, ByteBuf body) {
        int length = body.readableBytes();
        if (request.method().equals(HttpMethod.HEAD)) {
            body.release();
            body = ctx.alloc().buffer(0);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        HttpUtil.setContentLength(response, length);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.release();
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

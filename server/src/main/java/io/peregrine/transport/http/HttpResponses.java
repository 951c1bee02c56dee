package io.peregrine.transport.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Small complete answers of the HTTP listener. They are written as any handler writes, inside the
 * delivery of their request, so {@link HttpResponseOrder} sends them in that request's turn and
 * closes the connection after the ones that say so.
 */
final class HttpResponses {

    static final String TEXT = "text/plain; charset=utf-8";

    private HttpResponses() {
    }

    /** A response with {@code body} and its length. */
    static FullHttpResponse of(HttpVersion version, HttpResponseStatus status, CharSequence contentType, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /**
     * Answers {@code request} (which this releases) with {@code body}, not to be cached; keeps the
     * connection as the request asks.
     */
    static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                        CharSequence contentType, String body) {
        FullHttpResponse response = of(request.protocolVersion(), status, contentType, body);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.release();
        send(ctx, response, keepAlive);
    }

    /** Writes {@code response}, keeping the connection open after it when {@code keepAlive}, else closing it. */
    static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (response.protocolVersion() == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response, ctx.voidPromise());
    }

    /** Refuses {@code request} with a plain-text {@code message}. */
    static void refuseText(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String message) {
        answer(ctx, request, of(request.protocolVersion(), status, TEXT, message + "\n"));
    }

    /**
     * Refuses {@code request} with a JSON-RPC error for the message with id {@code idJson} (JSON
     * text; {@code null} for one refused before it was read, as the transport rules allow).
     */
    static void refuseJson(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String idJson,
                           int code, String message, String dataJson) {
        answer(ctx, request, of(request.protocolVersion(), status, HttpHeaderValues.APPLICATION_JSON,
                jsonRpcError(idJson, code, message, dataJson)));
    }

    /** Answers {@code request} with {@code response} of the MCP endpoint; a 5xx closes the connection. */
    static void answer(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        send(ctx, response, HttpUtil.isKeepAlive(request) && response.status().code() < 500);
    }

    /** A JSON-RPC error as JSON text; {@code idJson} and {@code dataJson} are JSON text, {@code dataJson} may be null. */
    static String jsonRpcError(String idJson, int code, String message, String dataJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"error\":{\"code\":" + code + ",\"message\":" + quote(message)
                + (dataJson != null ? ",\"data\":" + dataJson : "") + "}}";
    }

    /** The path of a request URI, without its query. */
    static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query >= 0 ? uri.substring(0, query) : uri;
    }

    /** {@code s} as a JSON string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}

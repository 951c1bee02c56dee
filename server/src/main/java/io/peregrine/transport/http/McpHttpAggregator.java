package io.peregrine.transport.http;

import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Joins a request's body, and refuses one over the limit with 413 and a JSON-RPC error saying
 * what the limit is, rather than a bare status. The rest of the body is read and dropped, then the
 * connection is closed.
 */
public final class McpHttpAggregator extends HttpObjectAggregator {

    private final MessageListener listener;

    /** Refuses bodies over {@code maxContentLength} bytes, counting nothing. */
    public McpHttpAggregator(int maxContentLength) {
        this(maxContentLength, null);
    }

    /** Refuses bodies over {@code maxContentLength} bytes and tells {@code listener} (may be null). */
    public McpHttpAggregator(int maxContentLength, MessageListener listener) {
        super(maxContentLength);
        this.listener = listener;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (listener != null) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.TOO_LARGE);
        }
        String body = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
                + HttpResponses.quote("Message too long: the body exceeds the limit of " + maxContentLength()
                + " bytes (http.max-body-size) and was not read") + "}}";
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // HttpResponseOrder closes the connection once this is written and the rest of the body has
        // been read and dropped (RequestReadTimeout bounds how long that may take): closing with
        // unread bytes would reset the connection, and the client could lose this answer.
        ctx.channel().attr(RequestReadTimeout.CLOSE_AFTER_REQUEST).set(Boolean.TRUE);
        ctx.writeAndFlush(r, ctx.voidPromise());
    }
}

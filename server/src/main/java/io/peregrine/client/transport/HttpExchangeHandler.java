package io.peregrine.client.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a pooled HTTP connection: passes the response to the exchange the connection
 * now serves, and tells the pool and the exchange when the connection goes.
 */
final class HttpExchangeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpExchangeHandler.class);

    private final ExchangeChannels pool;
    private HttpExchange current;
    /** What closed the connection, when a failure did (a TLS alert, a reset): said with the exchange it broke. */
    private String failure;

    HttpExchangeHandler(ExchangeChannels pool) {
        this.pool = pool;
    }

    void serve(HttpExchange exchange) {
        this.current = exchange;
    }

    /** The connection stops serving {@code exchange} (it was cancelled and the connection is closing). */
    void abandon(HttpExchange exchange) {
        if (current == exchange) {
            current = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        HttpExchange e = current;
        try {
            if (e == null) {
                return;
            }
            if (msg instanceof HttpResponse) {
                e.head((HttpResponse) msg);
            }
            if (msg instanceof HttpContent) {
                e.content(((HttpContent) msg).content());
            }
            if (msg instanceof LastHttpContent && current == e) {
                current = null;
                e.end(ctx.channel());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.closed(ctx.channel());
        HttpExchange e = current;
        current = null;
        if (e != null) {
            e.broken(failure);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing the HTTP connection to {} after a failure", ctx.channel().remoteAddress(), cause);
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        failure = root.toString();
        ctx.close();
    }
}

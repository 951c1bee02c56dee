package io.peregrine.transport.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long one request may take to arrive: from its first line to the end of its body.
 * A client that starts a request and then trickles or stops (slow-loris) gets 408 and the
 * connection is closed, so it cannot hold a connection and a partial body for free. Idle time
 * between requests is the keep-alive timeout's business, not this one's.
 */
public final class RequestReadTimeout extends ChannelDuplexHandler {

    /**
     * Set on a channel whose current request was refused before its body was read: the refusal
     * closes the connection once the body has arrived ({@link HttpResponseOrder}), and when it
     * does not arrive in time there is no 408 to send, only the connection to close.
     */
    static final io.netty.util.AttributeKey<Boolean> CLOSE_AFTER_REQUEST =
            io.netty.util.AttributeKey.valueOf(RequestReadTimeout.class, "closeAfterRequest");

    private final long timeoutMillis;
    private ScheduledFuture<?> timer;
    private boolean inProgress;
    private boolean expired;
    private long startedNanos;

    public RequestReadTimeout(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis : " + timeoutMillis + " (expected: > 0)");
        }
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            // The connection closes once the 408 is out; what still arrives is not read.
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest && !inProgress) {
            inProgress = true;
            startedNanos = System.nanoTime();
        }
        if (msg instanceof LastHttpContent) {
            inProgress = false;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The timer is armed only for a request still partial when a read ends: most requests arrive
     * whole in one read and never need one.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (inProgress && timer == null) {
            long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            timer = ctx.executor().schedule(() -> expire(ctx), Math.max(1, left), TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelReadComplete();
    }

    private void expire(ChannelHandlerContext ctx) {
        inProgress = false;
        expired = true;
        timer = null;
        if (ctx.channel().attr(CLOSE_AFTER_REQUEST).get() != null) {
            ctx.close(); // already answered
            return;
        }
        String text = "Request Timeout: the request did not arrive whole within " + timeoutMillis
                + " ms (http.request-read-timeout)\n";
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Outside any delivery, so it answers the request still arriving, in that request's turn;
        // what is in progress above is abandoned with the connection.
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }
}

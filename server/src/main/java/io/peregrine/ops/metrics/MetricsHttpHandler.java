package io.peregrine.ops.metrics;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;

import java.util.Objects;

/**
 * The metrics route of an HTTP listener: answers {@code GET} (and {@code HEAD}) of its path with a
 * scrape, {@code 405} to other methods there, and passes every other message on unchanged.
 *
 * <p>It goes after the listener's aggregator (it reads {@link FullHttpRequest}s) and after its
 * authentication handler, so that when the listener requires credentials, a scrape does too; the
 * admin listener is the way to scrape without them. It holds no per-connection state and is shared
 * by every channel of a listener.
 */
@ChannelHandler.Sharable
public final class MetricsHttpHandler extends ChannelInboundHandlerAdapter {

    private final String path;
    private final MetricsExposition exposition;

    /** Serves {@code exposition} at {@code path} (e.g. {@code /metrics}). */
    public MetricsHttpHandler(String path, MetricsExposition exposition) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path : " + path + " (expected: starting with /)");
        }
        this.path = path;
        this.exposition = Objects.requireNonNull(exposition, "exposition");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) || !HttpAnswers.path((FullHttpRequest) msg).equals(path)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        if (HttpAnswers.isRead(request)) {
            HttpAnswers.scrape(ctx, request, exposition);
        } else {
            HttpAnswers.methodNotAllowed(ctx, request);
        }
    }
}

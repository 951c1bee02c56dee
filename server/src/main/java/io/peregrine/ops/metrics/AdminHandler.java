package io.peregrine.ops.metrics;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener's routes: {@code /metrics}, {@code /health} (liveness: 200 with the health
 * supplier's JSON), {@code /ready} (200 when ready, 503 otherwise), {@code 404} for any other path
 * and {@code 405} for methods other than GET and HEAD.
 */
@ChannelHandler.Sharable
final class AdminHandler extends ChannelInboundHandlerAdapter {

    private final MetricsExposition exposition;
    private final Supplier<String> health;
    private final BooleanSupplier ready;

    AdminHandler(MetricsExposition exposition, Supplier<String> health, BooleanSupplier ready) {
        this.exposition = exposition;
        this.health = health;
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = HttpAnswers.path(request);
        boolean known = path.equals(AdminServer.METRICS) || path.equals(AdminServer.HEALTH) || path.equals(AdminServer.READY);
        if (!known) {
            HttpAnswers.text(ctx, request, HttpResponseStatus.NOT_FOUND, path + " is not served here: the admin listener serves "
                    + AdminServer.METRICS + ", " + AdminServer.HEALTH + " and " + AdminServer.READY + "\n");
        } else if (!HttpAnswers.isRead(request)) {
            HttpAnswers.methodNotAllowed(ctx, request);
        } else if (path.equals(AdminServer.METRICS)) {
            HttpAnswers.scrape(ctx, request, exposition);
        } else if (path.equals(AdminServer.HEALTH)) {
            HttpAnswers.json(ctx, request, HttpResponseStatus.OK, health.get());
        } else if (ready.getAsBoolean()) {
            HttpAnswers.json(ctx, request, HttpResponseStatus.OK, "{\"status\":\"ready\"}");
        } else {
            HttpAnswers.json(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"not ready\"}");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A scraper that goes away mid-answer is not news; the connection is simply closed.
        ctx.close();
    }
}

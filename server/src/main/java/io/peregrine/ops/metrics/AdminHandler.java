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
 * The admin listener's routes, answered as the HTTP listener answers them: {@code /metrics},
 * {@code /health} (liveness: 200 while the process serves), {@code /health?verbose} and
 * {@code /health/details} (the server's report, JSON), {@code /ready} (200 when ready, 503
 * otherwise); {@code 404} for any other path and {@code 405} for methods other than GET and HEAD.
 */
@ChannelHandler.Sharable
final class AdminHandler extends ChannelInboundHandlerAdapter {

    private final MetricsExposition exposition;
    private final Supplier<String> details;
    private final BooleanSupplier ready;
    private final java.util.function.Function<Boolean, String> readiness;

    AdminHandler(MetricsExposition exposition, Supplier<String> details, BooleanSupplier ready,
                 java.util.function.Function<Boolean, String> readiness) {
        this.exposition = exposition;
        this.details = details;
        this.ready = ready;
        this.readiness = readiness;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = HttpAnswers.path(request);
        boolean known = path.equals(AdminServer.METRICS) || path.equals(AdminServer.HEALTH) || path.equals(AdminServer.READY)
                || path.equals(AdminServer.HEALTH_DETAILS);
        if (!known) {
            HttpAnswers.text(ctx, request, HttpResponseStatus.NOT_FOUND, path + " is not served here: the admin listener serves "
                    + AdminServer.METRICS + ", " + AdminServer.HEALTH + " and " + AdminServer.READY + "\n");
        } else if (!HttpAnswers.isRead(request)) {
            HttpAnswers.methodNotAllowed(ctx, request);
        } else if (path.equals(AdminServer.METRICS)) {
            HttpAnswers.scrape(ctx, request, exposition);
        } else if (path.equals(AdminServer.HEALTH_DETAILS) || path.equals(AdminServer.HEALTH) && isVerbose(request.uri())) {
            HttpAnswers.json(ctx, request, HttpResponseStatus.OK, details.get());
        } else if (path.equals(AdminServer.HEALTH)) {
            HttpAnswers.json(ctx, request, HttpResponseStatus.OK, "{\"status\":\"up\"}");
        } else {
            boolean isReady = ready.getAsBoolean();
            HttpAnswers.json(ctx, request, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    readiness.apply(isReady));
        }
    }

    /** {@code verbose}, {@code verbose=true} or {@code verbose=1} among the query's parameters. */
    private static boolean isVerbose(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return false;
        }
        for (String p : uri.substring(q + 1).split("&")) {
            if (p.equals("verbose") || p.equals("verbose=true") || p.equals("verbose=1")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A scraper that goes away mid-answer is not news; the connection is simply closed.
        ctx.close();
    }
}

package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.peregrine.transport.HealthReport;

/**
 * {@code GET /health} (liveness: 200 while the process serves), {@code GET /health?verbose} and
 * {@code GET /health/details} (the server's report as JSON) and {@code GET /ready} (readiness:
 * 503 while starting, draining or missing a required dependency, so a load balancer stops sending).
 * What readiness means is the {@link HealthReport}'s business. Another method than GET or HEAD
 * on these paths gets {@code 405}, as on the admin listener. Every other request goes on down the
 * pipeline. One per listener.
 */
@ChannelHandler.Sharable
final class HealthHandler extends ChannelInboundHandlerAdapter {

    private final HealthReport health;

    HealthHandler(HealthReport health) {
        this.health = health;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = request.uri();
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        boolean route = path.equals("/health") || path.equals("/health/details") || path.equals("/ready");
        if (route && !HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse r = HttpResponses.of(request.protocolVersion(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    HttpResponses.TEXT, "Method not allowed: " + path + " answers GET and HEAD\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            HttpResponses.answer(ctx, request, r);
            request.release();
        } else if (path.equals("/health/details") || path.equals("/health") && isVerbose(query)) {
            HttpResponses.respond(ctx, request, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, health.details());
        } else if (path.equals("/health")) {
            HttpResponses.respond(ctx, request, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, "{\"status\":\"up\"}");
        } else if (path.equals("/ready")) {
            boolean isReady = health.ready();
            HttpResponses.respond(ctx, request, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    HttpHeaderValues.APPLICATION_JSON, health.readiness(isReady));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** {@code verbose}, {@code verbose=true} or {@code verbose=1} among the query's parameters. */
    private static boolean isVerbose(String query) {
        for (String p : query.split("&")) {
            if (p.equals("verbose") || p.equals("verbose=true") || p.equals("verbose=1")) {
                return true;
            }
        }
        return false;
    }
}

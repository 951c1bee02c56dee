package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health} (liveness: 200 while the process serves) and {@code GET /ready} (readiness:
 * 503 while starting or draining, so a load balancer stops sending before shutdown). Every other
 * request goes on down the pipeline. One per listener.
 */
@ChannelHandler.Sharable
final class HealthHandler extends ChannelInboundHandlerAdapter {

    private final BooleanSupplier ready;

    HealthHandler(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.equals("/health")) {
            HttpResponses.respond(ctx, request, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, "{\"status\":\"up\"}");
        } else if (path.equals("/ready")) {
            boolean isReady = ready.getAsBoolean();
            HttpResponses.respond(ctx, request, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    HttpHeaderValues.APPLICATION_JSON, isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}

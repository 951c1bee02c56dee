package io.peregrine.transport.http;

import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Transport;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.Locale;

/**
 * Refuses requests whose {@code Origin} is not allowed, with 403, as the MCP transport rules ask
 * (a web page must not reach a local server through DNS rebinding). Requests without an
 * {@code Origin} come from non-browser clients and pass. An allowed origin is written exactly
 * ({@code https://app.example.com}) or with any port ({@code http://localhost:*}). One per listener.
 */
@ChannelHandler.Sharable
final class OriginCheck extends ChannelInboundHandlerAdapter {

    private final List<String> allowed;
    private final MessageListener listener;

    OriginCheck(List<String> allowed, MessageListener listener) {
        this.allowed = allowed;
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            FullHttpRequest request = (FullHttpRequest) msg;
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && !isAllowed(origin)) {
                listener.onRefused(Transport.HTTP, EdgeRefusal.FORBIDDEN);
                HttpResponses.respond(ctx, request, HttpResponseStatus.FORBIDDEN, HttpResponses.TEXT,
                        "Forbidden: origin " + origin + " is not allowed (http.allowed-origins)\n");
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    boolean isAllowed(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        for (String pattern : allowed) {
            if (pattern.endsWith(":*")) {
                String host = pattern.substring(0, pattern.length() - 2);
                if (o.equals(host) || (o.startsWith(host + ":") && o.substring(host.length() + 1).chars().allMatch(Character::isDigit))) {
                    return true;
                }
            } else if (o.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}

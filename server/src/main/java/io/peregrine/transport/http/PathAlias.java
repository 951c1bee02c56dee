package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;

/** Serves {@code alias} as {@code path} (the MCP path under {@code /ws}, so that both URLs upgrade). One per listener. */
@ChannelHandler.Sharable
final class PathAlias extends ChannelInboundHandlerAdapter {

    private final String alias;
    private final String path;

    PathAlias(String alias, String path) {
        this.alias = alias;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            FullHttpRequest request = (FullHttpRequest) msg;
            String uri = request.uri();
            if (uri.equals(alias) || uri.startsWith(alias + "?")) {
                request.setUri(path + uri.substring(alias.length()));
            }
        }
        ctx.fireChannelRead(msg);
    }
}

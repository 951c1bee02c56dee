package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Resets an HTTP/2 stream whose request head cannot be an HTTP/1.1 request (a {@code :method} that
 * is not a token, a {@code :path} the request line refuses) before it reaches
 * {@code Http2StreamFrameToHttpObjectCodec}: for a request that ends with its headers, Netty's
 * conversion allocates the body's buffer first and leaks it when the head is then refused (found
 * by the {@code h2c} fuzz target, one buffer per such stream). The same conversion without a body
 * is tried here, and a stream it refuses is reset with PROTOCOL_ERROR, as Netty's codec does for a
 * refused head. One per listener.
 */
@ChannelHandler.Sharable
final class Http2RequestHeadCheck extends ChannelInboundHandlerAdapter {

    static final Http2RequestHeadCheck INSTANCE = new Http2RequestHeadCheck();

    private Http2RequestHeadCheck() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame && ((Http2HeadersFrame) msg).headers().method() != null) {
            Http2HeadersFrame frame = (Http2HeadersFrame) msg;
            try {
                HttpConversionUtil.toHttpRequest(0, frame.headers(), true);
            } catch (Exception e) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}

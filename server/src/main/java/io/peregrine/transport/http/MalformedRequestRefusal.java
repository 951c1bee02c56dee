package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Refuses a request the codec could not decode (a malformed request line, header or chunk) with
 * 400, or 414 / 431 when a line or the headers were too long, and one of an HTTP version other than
 * 1.0 and 1.1 with 505, and closes the connection: the codec
 * reads nothing more on it, so later requests could never be answered. Without this, such a
 * request went on as the codec's placeholder ({@code GET /bad-request}, HTTP/1.0) and was answered
 * 404 while the connection stayed open and deaf. One per listener; placed after the aggregator,
 * which hands on a request whose body failed to decode as a whole request carrying the failure.
 */
@ChannelHandler.Sharable
final class MalformedRequestRefusal extends ChannelInboundHandlerAdapter {

    static final MalformedRequestRefusal INSTANCE = new MalformedRequestRefusal();

    private MalformedRequestRefusal() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        if (request.decoderResult().isSuccess()) {
            HttpVersion v = request.protocolVersion();
            if (v.majorVersion() == 1 && v.minorVersion() <= 1) {
                ctx.fireChannelRead(msg);
                return;
            }
            // The codec reads any HTTP/x.y; answers echo the request's version, and were sent as "HTTP/2.1".
            request.release();
            HttpResponses.send(ctx, HttpResponses.of(HttpVersion.HTTP_1_1, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    HttpResponses.TEXT, "HTTP Version Not Supported: " + printable(v.text())
                            + "; this listener speaks HTTP/1.1 (and HTTP/2 with prior knowledge when enabled)\n"), false);
            return;
        }
        DecoderResult result = request.decoderResult();
        Throwable cause = result.cause();
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        String reason = cause == null || cause.getMessage() == null ? "malformed request" : cause.getMessage();
        request.release();
        // The codec's placeholder says HTTP/1.0; the answer is HTTP/1.1, the version served.
        FullHttpResponse r = HttpResponses.of(HttpVersion.HTTP_1_1, status, HttpResponses.TEXT,
                status.reasonPhrase() + ": the request could not be read as HTTP/1.1 (" + printable(reason) + ")\n");
        HttpResponses.send(ctx, r, false);
    }

    /** The decoder's message, which may quote the client's bytes, with what is not printable ASCII replaced. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}

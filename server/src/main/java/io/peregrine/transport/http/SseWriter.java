package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The body of one SSE response as it is written in its request's turn: events ({@code id:} when
 * the stream can be resumed, then {@code data:}), and a comment whenever nothing was written for
 * the keep-alive interval, so that proxies and clients do not take a quiet stream for a dead one.
 * Event loop only.
 */
final class SseWriter {

    private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final AsciiString NO_CACHE = AsciiString.cached("no-cache");
    private static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
    private static final AsciiString NO = AsciiString.cached("no");
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ResponseTurn turn;
    private final Channel channel;
    private ScheduledFuture<?> keepAliveTask;
    private boolean wroteSinceTick;

    /**
     * The head of a 200 SSE response: not to be cached or buffered by proxies, and chunked where
     * the version has chunks (HTTP/1.1; an HTTP/1.0 stream ends with its connection).
     */
    static HttpResponse head(HttpVersion version) {
        HttpResponse r = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, NO_CACHE);
        r.headers().set(X_ACCEL_BUFFERING, NO);
        if (version != HttpVersion.HTTP_1_0) {
            HttpUtil.setTransferEncodingChunked(r, true);
        }
        return r;
    }

    /** For a response whose head has been written; a comment every {@code keepAliveMillis} of quiet (0: never). */
    SseWriter(ResponseTurn turn, Channel channel, long keepAliveMillis) {
        this.turn = turn;
        this.channel = channel;
        if (keepAliveMillis > 0) {
            keepAliveTask = channel.eventLoop().scheduleAtFixedRate(() -> {
                if (!wroteSinceTick) {
                    turn.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(KEEP_ALIVE)));
                }
                wroteSinceTick = false;
            }, keepAliveMillis, keepAliveMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Writes one event, releasing {@code data}; flushes unless the end of the response follows at once. */
    void event(String id, ByteBuf data, boolean flush) {
        wroteSinceTick = true;
        int size = (id != null ? ID.length + id.length() + 1 : 0) + DATA.length + (data != null ? data.readableBytes() : 0) + 2;
        ByteBuf event = channel.alloc().buffer(size);
        if (id != null) {
            event.writeBytes(ID).writeCharSequence(id, StandardCharsets.US_ASCII);
            event.writeByte('\n');
        }
        event.writeBytes(DATA);
        if (data != null) {
            event.writeBytes(data);
            data.release();
        }
        event.writeByte('\n').writeByte('\n');
        if (flush) {
            turn.writeAndFlush(new DefaultHttpContent(event));
        } else {
            turn.write(new DefaultHttpContent(event));
        }
    }

    /** No more events: the keep-alive comments stop. */
    void stop() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
            keepAliveTask = null;
        }
    }
}

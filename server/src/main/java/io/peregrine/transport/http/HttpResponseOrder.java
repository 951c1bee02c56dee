package io.peregrine.transport.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * Writes the responses of one HTTP/1.1 connection in the order of its requests, whoever produces
 * them: HTTP/1.1 has no other way to tell which answer is whose (RFC 9112 §9.3.2). Placed right
 * after the codec, ahead of every handler that answers, it gives each request read a
 * {@link ResponseTurn} and holds what is written for a request, with its promise, until every
 * answer ahead of it has been written.
 *
 * <ul>
 *   <li>A handler that answers while its request is delivered (in {@code channelRead}, as health
 *       checks, refusals and most handlers do) writes as usual, {@code ctx.writeAndFlush(response)};
 *       what it writes belongs to that request. It needs to know nothing of this class.</li>
 *   <li>A responder that answers later (a tool call, an SSE stream) takes the request's turn while
 *       the request is delivered, {@link #turn(ChannelHandlerContext)}, and writes through it.</li>
 *   <li>What is written outside a delivery, without a turn, answers the latest request read: the
 *       read timeout's 408 answers the request that is still arriving.</li>
 * </ul>
 *
 * <p>It also keeps the connection's HTTP/1.1 bookkeeping in one place. The connection closes after
 * a final response that does not keep it alive (made so when the request did not ask to keep it,
 * or when the response has no length of its own), once that response's request has been read to
 * its end: closing with unread bytes would reset the connection, and the client could lose the
 * answer. Requests read after one that closes the connection are dropped unanswered (RFC 9112
 * §9.6). A {@code 101 Switching Protocols} ends HTTP on the connection, and this handler removes
 * itself once it is written. Flushes asked for while a read is delivered are made once, when the
 * read completes. Reading pauses while a responder asks for it, while the socket is not writable,
 * or while {@code maxPipelined} requests wait for their answers, so that a client cannot make the
 * server hold answers without bound. An idle event ({@code ALL_IDLE}, the keep-alive timeout)
 * closes the connection when no request waits for its answer.
 *
 * <p>On an HTTP/2 stream, a channel that carries one request, nothing is ever held; the handler is
 * there too so that an exchange answers the same way on both. Messages that are not HTTP objects
 * pass straight through. One per channel; event loop only, {@link ResponseTurn} included.
 */
public final class HttpResponseOrder extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HttpResponseOrder.class);

    /**
     * Requests read and not yet answered in full, by default, before reading pauses: the default
     * bound of a connection's requests in flight in the core ({@code connection.max-in-flight}).
     */
    public static final int DEFAULT_MAX_PIPELINED = 256;

    private static final AttributeKey<HttpResponseOrder> ORDER = AttributeKey.valueOf(HttpResponseOrder.class, "order");

    private final int maxPipelined;
    /** The requests read and not yet answered in full, oldest first; the first one is writing. */
    private final ArrayDeque<ResponseTurn> turns = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    /** The request whose parts are arriving, until its last part. */
    private ResponseTurn reading;
    /** The request being delivered to the handlers behind this one: what they write is its. */
    private ResponseTurn delivering;
    /** A request or an answer closes the connection: requests after it are dropped. */
    private boolean refusing;
    /** The parts of a dropped request are being read. */
    private boolean discarding;
    /** The connection closes, or switches protocol, after what has been written: nothing more is. */
    private boolean finished;
    /** Answered with a response that closes the connection, but still arriving: close once it has. */
    private ResponseTurn closeWhenRead;
    /**
     * A request has been read here. Until then this handler leaves reading alone: on a connection
     * that turned out to speak HTTP/2 (prior knowledge) it sees no request, and the streams' flow
     * control is not its business.
     */
    private boolean served;
    private boolean pausedByResponder;
    private boolean inRead;
    private boolean flushPending;

    public HttpResponseOrder() {
        this(DEFAULT_MAX_PIPELINED);
    }

    /** @param maxPipelined requests read and not yet answered in full before reading pauses */
    public HttpResponseOrder(int maxPipelined) {
        if (maxPipelined <= 0) {
            throw new IllegalArgumentException("maxPipelined : " + maxPipelined + " (expected: > 0)");
        }
        this.maxPipelined = maxPipelined;
    }

    /**
     * The turn of the request being delivered on {@code ctx}'s channel, for a responder that
     * answers it later.
     *
     * @throws IllegalStateException when no request is being delivered, or no {@code HttpResponseOrder}
     *                               is ahead of {@code ctx} in the pipeline
     */
    public static ResponseTurn turn(ChannelHandlerContext ctx) {
        HttpResponseOrder order = ctx.channel().attr(ORDER).get();
        if (order == null || order.delivering == null) {
            throw new IllegalStateException("no request is being delivered to " + ctx.name() + ": a turn is taken in "
                    + "channelRead, with an HttpResponseOrder ahead in the pipeline");
        }
        return order.delivering;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(ORDER).set(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ctx.channel().attr(ORDER).set(null);
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    // ---------------------------------------------------------------- requests in

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            if (refusing) {
                discarding = true;
            } else {
                served = true;
                ResponseTurn t = new ResponseTurn(this, HttpUtil.isKeepAlive((HttpRequest) msg));
                turns.addLast(t);
                reading = t;
                refusing = !t.keepAlive;
                updateReading();
            }
        }
        boolean last = msg instanceof LastHttpContent;
        if (discarding) {
            discarding = !last;
            ReferenceCountUtil.release(msg);
            return;
        }
        ResponseTurn t = reading;
        ResponseTurn outer = delivering;
        delivering = t;
        try {
            ctx.fireChannelRead(msg);
        } finally {
            delivering = outer;
        }
        if (last && t != null) {
            t.requestEnded = true;
            reading = null;
            if (t == closeWhenRead) {
                closeAfterWrites();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    // ---------------------------------------------------------------- responses out

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpObject)) {
            ctx.write(msg, promise);
            return;
        }
        ResponseTurn t = delivering != null ? delivering : turns.peekLast();
        if (t == null) {
            log.warn("{}: dropped an HTTP response written with no request to answer: {}", ctx.channel(), msg);
            ReferenceCountUtil.release(msg);
            ResponseTurn.fail(promise);
            return;
        }
        write(t, msg, promise, false);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushSoon();
    }

    /** A write through a turn ({@link ResponseTurn#write}). */
    void write(ResponseTurn t, Object msg, boolean flush) {
        write(t, msg, ctx.voidPromise(), flush);
    }

    private void write(ResponseTurn t, Object msg, ChannelPromise promise, boolean flush) {
        if (t.ended || t.abandoned || finished) {
            // A second answer, or one for a connection that is closing: it cannot be sent.
            ReferenceCountUtil.release(msg);
            ResponseTurn.fail(promise);
            return;
        }
        if (msg instanceof HttpResponse) {
            inspect(t, (HttpResponse) msg);
        }
        boolean last = t.answered && msg instanceof LastHttpContent;
        if (last) {
            t.ended = true;
        }
        if (turns.peekFirst() != t) {
            t.hold(msg, promise);
            return;
        }
        ctx.write(msg, promise);
        if (last) {
            advance();
        }
        if (flush || last) {
            flushSoon();
        }
    }

    /** Notes what a response head means for the connection: whether it is final, closes, or switches protocol. */
    private void inspect(ResponseTurn t, HttpResponse response) {
        int code = response.status().code();
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            t.answered = true;
            t.upgrades = true;
            refusing = true;
            return;
        }
        if (code < 200) {
            return; // interim (100 Continue): the final answer follows in the same turn
        }
        t.answered = true;
        if (!t.keepAlive || !hasOwnLength(response, code)) {
            HttpUtil.setKeepAlive(response, false);
        }
        t.closes = !HttpUtil.isKeepAlive(response);
        refusing |= t.closes;
    }

    /** Whether the client can tell where the body ends without the connection closing. */
    private static boolean hasOwnLength(HttpResponse response, int code) {
        return HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || code == HttpResponseStatus.NO_CONTENT.code() || code == HttpResponseStatus.NOT_MODIFIED.code();
    }

    /** The first turn has been answered in full: the ones behind it write what they hold, in order. */
    private void advance() {
        ResponseTurn head;
        while ((head = turns.peekFirst()) != null && head.ended) {
            turns.pollFirst();
            if (head.upgrades) {
                finished = true;
                ctx.flush();
                ctx.pipeline().remove(this);
                return;
            }
            if (head.closes) {
                finished = true;
                if (head.requestEnded) {
                    closeAfterWrites();
                } else {
                    // Read (and drop) the rest of its request whatever paused reading, then close.
                    closeWhenRead = head;
                    ctx.channel().config().setAutoRead(true);
                }
                return;
            }
            ResponseTurn next = turns.peekFirst();
            if (next != null && next.writeHeld(ctx)) {
                flushSoon();
            }
        }
        updateReading();
    }

    private void closeAfterWrites() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void flushSoon() {
        if (inRead) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    // ---------------------------------------------------------------- reading and the connection's life

    void pauseReading(boolean paused) {
        pausedByResponder = paused;
        updateReading();
    }

    private void updateReading() {
        boolean read = !pausedByResponder && turns.size() < maxPipelined && ctx.channel().isWritable();
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (served) {
            updateReading();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.ALL_IDLE) {
            if (turns.isEmpty()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ResponseTurn t;
        while ((t = turns.pollFirst()) != null) {
            t.abandon();
        }
        ctx.fireChannelInactive();
    }
}

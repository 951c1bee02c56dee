package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One connection of a run, as the last handler of its pipeline. It opens the session (the
 * 2025-11-25 handshake, or nothing in the stateless era) and then sends {@code tools/call}
 * requests: in the closed loop it replaces each answered request with a new one; in the open loop
 * an {@link OpenLoopPacer} sends them on schedule.
 *
 * <p>Responses are matched to requests by id ({@link InFlightRequests}), in whatever order they
 * come: a server may answer a connection's calls out of order, as a gateway forwarding them
 * concurrently does. Each is checked, because a load test that counts whatever comes back
 * measures nothing: its id must be one in flight and it must carry a {@code result}. Anything else
 * is counted in {@link ErrorCounts} and not timed; an answer whose id is none of those in flight
 * still answers one, the oldest.
 *
 * <p>Confined to its event loop once registered, like the histogram it records into.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(LoadConnection.class);
    /** Latencies above an hour are recorded as an hour; the run is long over by then. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final RequestEncoder requests;
    private final Transport transport;
    private final Era era;
    private final MeasureWindow window;
    /** Shared by the connections of this event loop, and touched only on it: no atomics per record. */
    private final Histogram latencyMicros;
    private final int depth;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ResponseParser parser = new ResponseParser();
    /** When each request in flight started, by id: sent, or due in the open loop. */
    private final InFlightRequests inFlight;

    private ChannelHandlerContext ctx;
    private boolean initializing;
    private boolean awaitingAccepted;
    private boolean sending;
    private boolean stopped;
    private long errorResponses;
    private long mismatches;
    private long malformed;
    private long lost;
    private long outsideWindow;

    /**
     * @param depth requests to keep in flight (closed loop), or 0 when a pacer sends (open loop)
     */
    LoadConnection(RequestEncoder requests, Transport transport, Era era, MeasureWindow window, Histogram latencyMicros,
                   int depth) {
        this.requests = requests;
        this.transport = transport;
        this.era = era;
        this.window = window;
        this.latencyMicros = latencyMicros;
        this.depth = depth;
        this.inFlight = new InFlightRequests(Math.max(depth, 64));
    }

    /** Completes when the session is open and requests may be sent; fails if it cannot be opened. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (transport.readyOnActive()) {
            openSession();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (transport.isReadyEvent(evt)) {
            openSession();
        } else if (evt == HttpClientFraming.ACCEPTED && awaitingAccepted) {
            awaitingAccepted = false;
            ready.complete(null);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void openSession() {
        if (!era.handshake()) {
            ready.complete(null);
            return;
        }
        initializing = true;
        ctx.writeAndFlush(transport.frame(requests.initialize(ctx.alloc())), ctx.voidPromise());
    }

    /** Starts the closed loop: {@code depth} requests now, and one more for each answer. */
    void startClosedLoop() {
        sending = true;
        long now = System.nanoTime();
        for (int i = 0; i < depth; i++) {
            send(now);
        }
        ctx.flush();
    }

    /** Lets a pacer send on this connection. */
    void startOpenLoop() {
        sending = true;
    }

    boolean isSending() {
        return sending;
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /**
     * Writes one request without flushing. Its latency is counted from {@code startNanos}: now in
     * the closed loop, the moment it was due in the open loop.
     */
    void send(long startNanos) {
        ctx.write(transport.frame(requests.toolCall(ctx.alloc(), inFlight.add(startNanos))), ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    /** Sends nothing more and returns the errors seen; responses still in flight are ignored. */
    ErrorCounts stop() {
        sending = false;
        stopped = true;
        return new ErrorCounts(errorResponses, mismatches, malformed, lost, outsideWindow);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf message = transport.unframe(msg);
        if (message == null) {
            countError(ResponseParser.Kind.MALFORMED, false, window.claim());
            return;
        }
        try {
            if (initializing) {
                onInitializeResponse(message);
            } else {
                onResponse(message);
            }
        } finally {
            message.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush for every request the read's responses made room for.
        ctx.flush();
    }

    private void onInitializeResponse(ByteBuf message) {
        ResponseParser.Kind kind = parser.parse(message);
        if (kind == ResponseParser.Kind.NOT_A_RESPONSE) {
            return;
        }
        if (kind != ResponseParser.Kind.RESULT || parser.id() != RequestEncoder.initializeId()) {
            ready.completeExceptionally(new IOException("initialize was not answered with a result: " + preview(message)));
            ctx.close();
            return;
        }
        initializing = false;
        ctx.writeAndFlush(transport.frame(requests.initialized(ctx.alloc())), ctx.voidPromise());
        if (transport == Transport.HTTP) {
            awaitingAccepted = true; // the session is open once the server has taken the notification
        } else {
            ready.complete(null);
        }
    }

    private void onResponse(ByteBuf message) {
        ResponseParser.Kind kind = parser.parse(message);
        if (kind == ResponseParser.Kind.NOT_A_RESPONSE) {
            return; // a notification or request from the server answers nothing of ours
        }
        boolean measured = window.claim();
        if (inFlight.isEmpty()) {
            countError(kind, true, measured);
            return;
        }
        long now = System.nanoTime();
        long start = inFlight.remove(parser.id());
        boolean known = start != InFlightRequests.ABSENT;
        if (!known) {
            inFlight.removeOldest();
        }
        if (kind == ResponseParser.Kind.RESULT && known) {
            if (measured) {
                latencyMicros.recordValue(Math.min(Math.max((now - start) / 1000, 0), HIGHEST_MICROS));
            }
        } else {
            countError(kind, !known, measured);
        }
        if (depth > 0 && sending) {
            send(now);
        }
    }

    private void countError(ResponseParser.Kind kind, boolean wrongId, boolean measured) {
        if (!measured) {
            outsideWindow++;
        } else if (kind == ResponseParser.Kind.ERROR && (!wrongId || parser.id() == ResponseParser.NO_ID)) {
            errorResponses++; // an error answers the request even when the server could not read its id
        } else if (wrongId && kind != ResponseParser.Kind.MALFORMED) {
            mismatches++;
        } else {
            malformed++;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!stopped && !inFlight.isEmpty()) {
            if (window.isOpen()) {
                lost += inFlight.size();
            } else {
                outsideWindow += inFlight.size();
            }
            inFlight.clear();
        }
        sending = false;
        ready.completeExceptionally(new IOException("connection closed before the session was open"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.completeExceptionally(cause) && !stopped) {
            log.warn("{} failed; requests in flight are counted as lost", ctx.channel(), cause);
        }
        ctx.close();
    }

    private static String preview(ByteBuf message) {
        int length = Math.min(message.readableBytes(), 300);
        return message.toString(message.readerIndex(), length, StandardCharsets.UTF_8)
                + (length < message.readableBytes() ? "..." : "");
    }
}

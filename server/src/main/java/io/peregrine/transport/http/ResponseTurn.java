package io.peregrine.transport.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's place in line on its connection (see {@link HttpResponseOrder}): what its
 * responder writes through it goes out once every answer ahead of it has been written. Taken with
 * {@link HttpResponseOrder#turn} while the request is delivered. Event loop only.
 */
public final class ResponseTurn {

    private final HttpResponseOrder order;
    /** The request asked to keep the connection alive. */
    final boolean keepAlive;
    boolean requestEnded;
    /** The final response's head has been given. */
    boolean answered;
    /** The final response's last part has been given (written or held). */
    boolean ended;
    boolean closes;
    boolean upgrades;
    boolean abandoned;
    private List<Held> held;
    private Runnable onAbandoned;

    ResponseTurn(HttpResponseOrder order, boolean keepAlive) {
        this.order = order;
        this.keepAlive = keepAlive;
    }

    /** Writes part of the response (a head, content, the last content), without flushing. */
    public void write(Object msg) {
        order.write(this, msg, false);
    }

    /** Writes part of the response and flushes (once per read while a read is being delivered). */
    public void writeAndFlush(Object msg) {
        order.write(this, msg, true);
    }

    /** Stops (true) or resumes (false) reading further requests from the connection. */
    public void pauseReading(boolean paused) {
        order.pauseReading(paused);
    }

    /** Runs {@code action} if the connection closes before this turn's answer has been written. */
    public void onAbandoned(Runnable action) {
        this.onAbandoned = action;
    }

    /** Keeps a write until this turn comes. */
    void hold(Object msg, ChannelPromise promise) {
        if (held == null) {
            held = new ArrayList<>(2);
        }
        held.add(new Held(msg, promise));
    }

    /** This turn has come: writes what it held; whether there was anything. */
    boolean writeHeld(ChannelHandlerContext ctx) {
        if (held == null) {
            return false;
        }
        List<Held> writes = held;
        held = null;
        for (Held h : writes) {
            ctx.write(h.msg, h.promise);
        }
        return true;
    }

    /** The connection closed first: what was held is dropped, and the responder told. */
    void abandon() {
        abandoned = true;
        if (held != null) {
            for (Held h : held) {
                ReferenceCountUtil.release(h.msg);
                fail(h.promise);
            }
            held = null;
        }
        if (onAbandoned != null) {
            onAbandoned.run();
        }
    }

    /** Fails a write that will not be made; a void promise is left alone (failing it would fire an exception). */
    static void fail(ChannelPromise promise) {
        if (!promise.isVoid()) {
            promise.tryFailure(new ClosedChannelException());
        }
    }

    /** A write waiting for its turn. */
    private static final class Held {
        final Object msg;
        final ChannelPromise promise;

        Held(Object msg, ChannelPromise promise) {
            this.msg = msg;
            this.promise = promise;
        }
    }
}
